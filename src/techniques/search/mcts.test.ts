import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest, RunContext } from "../../core/types.ts";
import type { SpanEvent } from "../../trace/span.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { mcts } from "./mcts.ts";
import { stageOf, stepsOf, treeLM } from "./testing/tree-lm.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "Use 4 6 1 1 to make 24." }] };
const events = (ctx: RunContext, name: string): SpanEvent["data"][] =>
  ctx.span.children
    .find((s) => s.kind === "technique")!
    .events.filter((e) => e.name === name)
    .map((e) => e.data);
const proposals = (lm: { calls: ChatRequest[] }) => lm.calls.filter((r) => stageOf(r) === "propose").map(stepsOf);

// A looks best at first (sure) but its children are mixed; B is only likely.
const values = { A: "sure", B: "likely", AA: "impossible", AB: "likely", ABA: "sure", ABB: "likely" };

test("without exploration UCT follows the highest mean value; the answer comes from the most visited path", async () => {
  const lm = treeLM({ values, complete: ["ABA"] });
  const ctx = createRunContext();
  const r = await mcts(lm, { breadth: 2, iterations: 3, exploration: 0 }).complete(ask, ctx);
  // A's mean after its children are backed up is (20 + 0.001 + 1) / 3, still above B's 1.
  assert.deepEqual(proposals(lm), [[], ["A"], ["A", "AB"]]);
  assert.equal(resultText(r), "ANSWER from A>AB>ABA", "most visits: A (5), then AB (3), then the tie ABA/ABB by value");
  assert.equal(
    r.usage.calls,
    3 * 3 + 1,
    "each iteration: one proposal request and two value requests; then the answer",
  );
  assert.deepEqual(
    events(ctx, "iteration").map((e) => e.path),
    [[0], [0, 1], [0, 1, 4]],
  );
});

test("with exploration the less visited sibling is expanded next", async () => {
  const lm = treeLM({ values });
  await mcts(lm, { breadth: 2, iterations: 3, exploration: 100 }).complete(ask);
  // Iteration 3: UCT(A) = 1 + 100·sqrt(ln 4 / 3) < UCT(B) = 0 + 100·sqrt(ln 4 / 1).
  assert.deepEqual(proposals(lm), [[], ["A"], ["B"]]);
});

test("values are normalised to 0-1 before UCT, so exploration weighs the same on any value scale", async () => {
  // Normalised, iteration 3 compares A = 1 + 2·sqrt(ln 4 / 3) = 2.36 with B = 0.15 + 2·sqrt(ln 4) = 2.50.
  // On the raw scale A's mean of 6.67 would swamp the exploration term and A would be expanded again.
  const lm = treeLM({ values: { A: "sure", B: "likely", AA: "impossible", AB: "impossible" } });
  await mcts(lm, { breadth: 2, iterations: 3, exploration: 2 }).complete(ask);
  assert.deepEqual(proposals(lm), [[], ["A"], ["B"]]);
});

test("the answer follows visits, not the single best value", async () => {
  // After three iterations AA has 3 visits (mean 6.67) and its sibling AB 1 visit (value 20).
  const lm = treeLM({
    values: { A: "likely", B: "likely", AA: "sure", AB: "sure", AAA: "impossible", AAB: "impossible" },
  });
  const r = await mcts(lm, { breadth: 2, iterations: 3, exploration: 0 }).complete(ask);
  assert.deepEqual(proposals(lm), [[], ["A"], ["A", "AA"]]);
  assert.equal(resultText(r), "ANSWER from A>AA>AAA");
});

test("complete states are leaves: revisiting them costs no call", async () => {
  const lm = treeLM({ values: { A: "sure", B: "likely" }, complete: ["A"] });
  const ctx = createRunContext();
  const r = await mcts(lm, { breadth: 2, iterations: 5, exploration: 0 }).complete(ask, ctx);
  assert.equal(lm.calls.length, 1 + 2 + 1);
  assert.equal(events(ctx, "iteration").length, 5);
  assert.equal(resultText(r), "ANSWER from A");
});

test("states at full depth are leaves; values run concurrently", async () => {
  const lm = treeLM({ latencyMs: 15 });
  const r = await mcts(lm, { breadth: 3, depth: 1, iterations: 4 }).complete(ask);
  assert.deepEqual(proposals(lm), [[]], "depth 1: only the root is expanded");
  assert.equal(lm.stats.maxInFlight, 3, "the three values are in flight together");
  assert.match(resultText(r), /^ANSWER from [ABC]$/);
});

test("a budget stop returns the best-valued state so far with finish_reason budget", async () => {
  const lm = treeLM({ values: { A: "likely", B: "sure" } });
  // The root proposal and two values, then B (the best) is expanded and its values do not fit.
  const r = await mcts(lm, { breadth: 2, exploration: 0 }).complete(ask, createRunContext({ budget: { calls: 4 } }));
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(resultText(r), "Step 1: B is the next step.");
  assert.equal(r.usage.calls, 4);
  assert.deepEqual(proposals(lm), [[], ["B"]]);
});

test("stream() streams the final answer and agrees with complete()", async () => {
  const complete = await mcts(treeLM({ values, complete: ["ABA"] }), {
    breadth: 2,
    iterations: 3,
    exploration: 0,
  }).complete(ask);
  const { text, result } = await collectStream(
    mcts(treeLM({ values, complete: ["ABA"] }), { breadth: 2, iterations: 3, exploration: 0 }).stream(ask),
  );
  assert.equal(text, "ANSWER from A>AB>ABA");
  assert.equal(resultText(result), resultText(complete));
  assert.equal(result.usage.calls, complete.usage.calls);
});

test("options are validated", () => {
  assert.throws(
    () => mcts(treeLM(), { iterations: 0 }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "iterations",
  );
  assert.throws(() => mcts(treeLM(), { exploration: -1 }), InvalidRequestError.isInstance);
  assert.throws(() => mcts(treeLM(), { evaluator: "vote" } as never), InvalidRequestError.isInstance);
});
