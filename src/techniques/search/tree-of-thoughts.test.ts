import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest, RunContext } from "../../core/types.ts";
import type { Span, SpanEvent } from "../../trace/span.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { stageOf, stepsOf, treeLM } from "./testing/tree-lm.ts";
import { treeOfThoughts } from "./tree-of-thoughts.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "Use 4 6 1 1 to make 24." }] };
const events = (ctx: RunContext, name: string): SpanEvent["data"][] =>
  ctx.span.children
    .find((s) => s.kind === "technique")!
    .events.filter((e) => e.name === name)
    .map((e) => e.data);
const callsOf = (lm: { calls: ChatRequest[] }, stage: string) => lm.calls.filter((r) => stageOf(r) === stage);

// Level 1: B (sure) > A (likely) > C (impossible). Level 2: BC (sure) first, then BB, AA, AC tie (likely).
const values = {
  A: "likely",
  B: "sure",
  C: "impossible",
  BA: "impossible",
  BB: "likely",
  BC: "sure",
  AA: "likely",
  AB: "impossible",
  AC: "likely",
};

test("BFS keeps the top `beam` states of each level, expands only those, and answers from the best", async () => {
  const lm = treeLM({ values });
  const ctx = createRunContext();
  const r = await treeOfThoughts(lm, { depth: 2 }).complete(ask, ctx);

  const proposals = callsOf(lm, "propose");
  assert.deepEqual(
    proposals.map(stepsOf),
    [[], ["B"], ["A"]],
    "the root, then the kept B and A; the pruned C is never expanded",
  );
  assert.ok(
    proposals.every((p) => p.n === 3),
    "one request of n=breadth per expansion",
  );
  assert.equal(callsOf(lm, "value").length, 9);
  const levels = events(ctx, "level");
  const id = (label: string) =>
    events(ctx, "node").find((n) => (n.state as string).endsWith(`: ${label} is the next step.`))!.id;
  assert.deepEqual(
    levels.map((l) => l.kept),
    [
      [id("B"), id("A")],
      [id("BC"), id("BB")],
    ],
    "ties keep the earlier proposal",
  );
  assert.deepEqual(levels[0]!.pruned, [id("C")]);

  const [answer] = callsOf(lm, "answer");
  assert.match(lastUserText(answer!), /Step 1: B is the next step\.\nStep 2: BC is the next step\./);
  assert.ok(lastUserText(answer!).includes("Use 4 6 1 1 to make 24."), "the question is in the final prompt");
  assert.equal(resultText(r), "ANSWER from B>BC");
  assert.equal(r.choices[0]!.finish_reason, "stop");
  assert.equal(r.usage.calls, 13, "1 + 2 proposals, 3 + 6 values, 1 answer");
  assert.equal(lm.calls.length, 13);
});

test("every evaluated state is a node event with parent, depth, state and score", async () => {
  const lm = treeLM({ values });
  const ctx = createRunContext();
  await treeOfThoughts(lm, { depth: 2 }).complete(ask, ctx);
  const nodes = events(ctx, "node");
  assert.equal(nodes.length, 9);
  const bc = nodes.find((n) => n.step === "BC is the next step.")!;
  const b = nodes.find((n) => n.step === "B is the next step.")!;
  assert.deepEqual([bc.parent, bc.depth, bc.score, bc.complete], [b.id, 2, 20, false]);
  assert.deepEqual([b.parent, b.depth], [0, 1]);
  assert.equal(nodes.find((n) => n.step === "C is the next step.")!.score, 0.001);
});

test("the number of calls follows breadth, depth and beam, with native n and without", async () => {
  const expected = (b: number, d: number, k: number, nativeN: boolean, vote = false) => {
    let frontier = 1;
    let calls = 1;
    for (let level = 0; level < d; level++) {
      calls += frontier * (nativeN ? 1 : b) + (vote ? 1 : frontier * b);
      frontier = Math.min(k, frontier * b);
    }
    return calls;
  };
  for (const [breadth, depth, beam] of [
    [2, 3, 1],
    [3, 2, 3],
    [4, 2, 2],
  ] as const)
    for (const nativeN of [true, false])
      for (const evaluator of ["value", "vote"] as const) {
        const lm = treeLM({ capabilities: { nativeN } });
        const r = await treeOfThoughts(lm, { breadth, depth, beam, evaluator }).complete(ask);
        const label = `breadth=${breadth} depth=${depth} beam=${beam} ${evaluator} nativeN=${nativeN}`;
        assert.equal(lm.calls.length, expected(breadth, depth, beam, nativeN, evaluator === "vote"), label);
        assert.equal(r.usage.calls, lm.calls.length, label);
      }
});

test("value_samples are drawn in one request per state and averaged", async () => {
  // Averages: A = C = 10.0005 > B = 1. Reading only the first sample would rank C, B, A instead.
  const lm = treeLM({ values: { A: ["impossible", "sure"], B: ["likely", "likely"], C: ["sure", "impossible"] } });
  const ctx = createRunContext();
  const r = await treeOfThoughts(lm, { depth: 1, value_samples: 2 }).complete(ask, ctx);
  assert.ok(callsOf(lm, "value").every((v) => v.n === 2));
  const a = events(ctx, "node").find((n) => n.step === "A is the next step.")!;
  assert.deepEqual(a.values, [0.001, 20]);
  assert.equal(a.score, 10.0005);
  assert.equal(resultText(r), "ANSWER from A");
});

test("vote mode counts each sample's ballot, abstains on unreadable ones, and follows the majority", async () => {
  const votes = [
    "Choice 1 is weak.\nThe best choice is 3",
    "The best choice is 2",
    "Choice 3 looks most promising.",
    "The best choice is 7",
    "At first the best choice is 2, but on reflection the best choice is 3.",
  ];
  const lm = treeLM({ votes });
  const ctx = createRunContext();
  const r = await treeOfThoughts(lm, { depth: 1, beam: 1, evaluator: "vote", value_samples: 5 }).complete(ask, ctx);
  const [vote] = events(ctx, "vote");
  assert.deepEqual(vote!.counts, [0, 1, 3]);
  assert.equal((vote!.ballots as unknown[])[3], null, "an out-of-range choice abstains");
  assert.equal(resultText(r), "ANSWER from C");
  assert.equal(callsOf(lm, "vote").length, 1, "all ballots in one request");
  assert.equal(callsOf(lm, "vote")[0]!.n, 5);
  assert.equal(callsOf(lm, "value").length, 0);
});

test("a complete state that is best ends the search early", async () => {
  const lm = treeLM({ values: { B: "sure" }, complete: ["B"] });
  const r = await treeOfThoughts(lm).complete(ask);
  assert.equal(callsOf(lm, "propose").length, 1, "no level after the one that solved it");
  assert.equal(resultText(r), "ANSWER from B");
  assert.equal(lm.calls.length, 5);
});

test("identical proposals are one state: valued once, expanded once", async () => {
  const lm = treeLM({ letters: "AAB" });
  const ctx = createRunContext();
  await treeOfThoughts(lm, { depth: 1 }).complete(ask, ctx);
  assert.deepEqual(callsOf(lm, "value").map(stepsOf), [["A"], ["B"]]);
  assert.deepEqual(events(ctx, "expand")[0]!.proposals, 3);
  assert.equal((events(ctx, "expand")[0]!.children as unknown[]).length, 2);
});

test("a complete state is not expanded but stays a candidate: it keeps its value, and is voted on again", async () => {
  const valued = treeLM({
    values: { A: "likely", B: "sure", BA: "impossible", BB: "impossible", BC: "impossible" },
    complete: ["A"],
  });
  const r = await treeOfThoughts(valued, { depth: 3 }).complete(ask);
  assert.deepEqual(callsOf(valued, "propose").map(stepsOf), [[], ["B"]], "A is complete, so only B grows");
  assert.deepEqual(
    callsOf(valued, "value")
      .map(stepsOf)
      .map((s) => s.at(-1)),
    ["A", "B", "C", "BA", "BB", "BC"],
    "A is not valued twice",
  );
  assert.equal(
    resultText(r),
    "ANSWER from A",
    "A (likely) beats B's impossible children at level 2 and ends the search",
  );

  const voted = treeLM({ complete: ["A"], votes: ["The best choice is 2"] });
  const ctx = createRunContext();
  const v = await treeOfThoughts(voted, { depth: 2, evaluator: "vote" }).complete(ask, ctx);
  const second = lastUserText(callsOf(voted, "vote")[1]!);
  assert.match(
    second,
    /Choice 1:\nStep 1: A so the result follows\.\nFinal answer: A\n\nChoice 2:\nStep 1: B is the next step\.\nStep 2: BA/,
  );
  assert.deepEqual(
    events(ctx, "vote").map((e) => e.counts),
    [
      [0, 1, 0],
      [0, 1, 0, 0],
    ],
  );
  assert.equal(resultText(v), "ANSWER from B>BA");
});

test("progress reports nodes expanded and the best score", async () => {
  const progress: Record<string, unknown>[] = [];
  await treeOfThoughts(treeLM({ values }), { depth: 2 }).complete(
    ask,
    createRunContext({ onProgress: (p) => progress.push(p) }),
  );
  assert.deepEqual(
    progress.map((p) => [p.technique, p.depth, p.nodes_expanded, p.nodes_evaluated, p.best_score]),
    [
      ["tree-of-thoughts", 1, 1, 3, 20],
      ["tree-of-thoughts", 2, 3, 9, 20],
    ],
  );
});

test("independent evaluations run concurrently", async () => {
  const lm = treeLM({ values, latencyMs: 15 });
  await treeOfThoughts(lm, { depth: 2 }).complete(ask);
  assert.equal(lm.stats.maxInFlight, 6, "the six values of level 2 are in flight together");
});

test("a budget stop returns the best state so far with finish_reason budget", async () => {
  // 7 calls: 1 + 3 + 2 for level 1 and the level-2 proposals, then only BA's value is affordable.
  const lm = treeLM({ values: { ...values, BA: "sure" } });
  const ctx = createRunContext({ budget: { calls: 7 } });
  const r = await treeOfThoughts(lm, { depth: 2 }).complete(ask, ctx);
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(
    resultText(r),
    "Step 1: B is the next step.\nStep 2: BA is the next step.",
    "BA ties B's value and is further along",
  );
  assert.equal(r.usage.calls, 7);
  assert.equal(lm.calls.length, 7);
});

test("stream() streams the final answer and ends with the same result as complete()", async () => {
  const lm = treeLM({ values });
  const { text, result } = await collectStream(treeOfThoughts(lm, { depth: 2 }).stream(ask));
  assert.equal(text, "ANSWER from B>BC");
  assert.equal(resultText(result), "ANSWER from B>BC");
  assert.equal(result.usage.calls, 13);
});

test("notes drop answer-shaping fields; the final answer keeps them and the conversation", async () => {
  const request: ChatRequest = {
    messages: [
      { role: "system", content: "Be exact." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello." },
      { role: "user", content: "Use 4 6 1 1 to make 24." },
    ],
    temperature: 0.3,
    max_tokens: 50,
    response_format: { type: "json_object" },
  };
  const lm = treeLM({ values });
  await treeOfThoughts(lm, { depth: 1, temperature: 0.9 }).complete(request);
  for (const call of lm.calls)
    assert.deepEqual(call.messages.slice(0, 3), request.messages.slice(0, 3), "history and system prompt kept");
  const [propose] = callsOf(lm, "propose");
  assert.deepEqual([propose!.temperature, propose!.max_tokens, propose!.response_format], [0.9, undefined, undefined]);
  const [value] = callsOf(lm, "value");
  assert.deepEqual([value!.temperature, value!.response_format], [0.3, undefined]);
  const [answer] = callsOf(lm, "answer");
  assert.deepEqual(
    [answer!.temperature, answer!.max_tokens, answer!.response_format],
    [0.3, 50, { type: "json_object" }],
  );
});

test("samples never repeat: each call takes its own range of sample indices", async () => {
  const lm = treeLM({ values });
  const ctx = createRunContext();
  await treeOfThoughts(lm, { depth: 2 }).complete(ask, ctx);
  const lmSpans = (s: Span): Span[] => (s.kind === "lm" ? [s] : s.children.flatMap(lmSpans));
  const searchCalls = lmSpans(ctx.span).filter((s) => stageOf(s.attributes.request as ChatRequest) !== "answer");
  const indices = searchCalls.flatMap((s) =>
    Array.from({ length: s.attributes.n as number }, (_, i) => (s.attributes.sample_index as number) + i),
  );
  assert.equal(searchCalls.length, 12);
  assert.equal(new Set(indices).size, indices.length, `repeated sample indices: ${indices.join(",")}`);
});

test("options are validated; prompts must keep their placeholders; no user text is an error", async () => {
  assert.throws(
    () => treeOfThoughts(treeLM(), { beam: 0 }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "beam",
  );
  assert.throws(() => treeOfThoughts(treeLM(), { search: "astar" as "bfs" }), InvalidRequestError.isInstance);
  assert.throws(
    () => treeOfThoughts(treeLM(), { vote_prompt: "Pick one." }),
    (e) => InvalidRequestError.isInstance(e) && /\{choices\}/.test(e.message),
  );
  assert.throws(() => treeOfThoughts(treeLM(), { width: 3 } as never), InvalidRequestError.isInstance);
  await assert.rejects(
    treeOfThoughts(treeLM()).complete({ messages: [{ role: "system", content: "x" }] }),
    InvalidRequestError.isInstance,
  );
});

test("when every proposal is empty the question is answered directly, as asked", async () => {
  const lm = treeLM({ silent: true });
  const r = await treeOfThoughts(lm).complete(ask);
  assert.deepEqual(lm.calls.map(stageOf), ["propose", "direct"]);
  assert.deepEqual(lm.calls[1]!.messages, ask.messages);
  assert.equal(resultText(r), "DIRECT answer");
});
