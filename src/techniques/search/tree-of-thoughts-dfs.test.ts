import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest, RunContext } from "../../core/types.ts";
import type { SpanEvent } from "../../trace/span.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { stageOf, stepsOf, treeLM } from "./testing/tree-lm.ts";
import { treeOfThoughts } from "./tree-of-thoughts.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "Fill the crossword." }] };
const events = (ctx: RunContext, name: string): SpanEvent["data"][] =>
  ctx.span.children
    .find((s) => s.kind === "technique")!
    .events.filter((e) => e.name === name)
    .map((e) => e.data);
const proposals = (lm: { calls: ChatRequest[] }) => lm.calls.filter((r) => stageOf(r) === "propose").map(stepsOf);
const idOf = (ctx: RunContext, step: string) =>
  events(ctx, "node").find((n) => (n.step as string).startsWith(`${step} `))!.id;

// B looks best but every child of B is impossible; A's child AA is a complete solution.
const values = {
  A: "likely",
  B: "sure",
  C: "impossible",
  BA: "impossible",
  BB: "impossible",
  BC: "impossible",
  AA: "sure",
  AB: "likely",
  AC: "impossible",
};

test("DFS descends into the best child first and backtracks when a branch scores below the threshold", async () => {
  const lm = treeLM({ values, complete: ["AA"] });
  const ctx = createRunContext();
  const r = await treeOfThoughts(lm, { search: "dfs" }).complete(ask, ctx);
  assert.deepEqual(
    proposals(lm),
    [[], ["B"], ["A"]],
    "B first; its children are pruned, so back to A; C is never expanded",
  );
  assert.equal(resultText(r), "ANSWER from A>AA", "the complete state AA is the solution");
  assert.deepEqual(events(ctx, "backtrack"), [{ from: idOf(ctx, "B"), to: 0 }]);
  const prunes = events(ctx, "prune");
  assert.deepEqual(
    prunes.map((p) => p.parent),
    [idOf(ctx, "B")],
    "B's children pruned; AA solved before A's pruned child mattered",
  );
  assert.equal((prunes[0]!.ids as unknown[]).length, 3);
  assert.equal(r.usage.calls, 3 + 9 + 1);
});

test("DFS explores at most `beam` children per state, straight down to full depth when nothing fails", async () => {
  // Nothing is ever complete; every state is "likely" (1), at the default threshold of 1.
  const lm = treeLM({ letters: "XY" });
  const r = await treeOfThoughts(lm, { search: "dfs", breadth: 2, beam: 1, depth: 3 }).complete(ask);
  assert.deepEqual(proposals(lm), [[], ["X"], ["X", "XX"]], "one child per state, straight down");
  assert.equal(
    resultText(r),
    "ANSWER from X>XX>XXX",
    "a state at full depth that passes the threshold is the solution",
  );

  // A fails below; with beam=1 its sibling B is not tried, with beam=2 it is.
  const failing = { A: "sure", B: "likely", AA: "impossible", AB: "impossible" };
  const narrow = treeLM({ values: failing });
  assert.equal(
    resultText(await treeOfThoughts(narrow, { search: "dfs", breadth: 2, beam: 1 }).complete(ask)),
    "ANSWER from A",
  );
  assert.deepEqual(proposals(narrow), [[], ["A"]]);
  const wide = treeLM({ values: failing });
  assert.equal(
    resultText(await treeOfThoughts(wide, { search: "dfs", breadth: 2, beam: 2 }).complete(ask)),
    "ANSWER from B>BA>BAA",
  );
  assert.deepEqual(proposals(wide), [[], ["A"], ["B"], ["B", "BA"]]);
});

test("a raised threshold prunes more: with nothing left the best state seen is answered from", async () => {
  const lm = treeLM({ values: { A: "likely", B: "likely", C: "impossible" } });
  const ctx = createRunContext();
  const r = await treeOfThoughts(lm, { search: "dfs", threshold: 5 }).complete(ask, ctx);
  assert.deepEqual(proposals(lm), [[]], "every child of the root is below 5");
  assert.equal(resultText(r), "ANSWER from A", "the best-scored state (ties: the first) answers");
});

test("max_nodes bounds the expansions; the best state seen answers", async () => {
  const lm = treeLM({ values });
  const r = await treeOfThoughts(lm, { search: "dfs", max_nodes: 2 }).complete(ask);
  assert.deepEqual(proposals(lm), [[], ["B"]]);
  assert.equal(resultText(r), "ANSWER from B", "B (sure) beats its impossible children");
  const one = treeLM({ values });
  await treeOfThoughts(one, { search: "dfs", max_nodes: 1 }).complete(ask);
  assert.deepEqual(proposals(one), [[]]);
});

test("DFS with votes follows the voted child and prunes unvoted siblings", async () => {
  // Each vote picks choice 2; at depth 1 that is B, then BB, then BBB.
  const lm = treeLM({ votes: ["The best choice is 2"] });
  const ctx = createRunContext();
  const r = await treeOfThoughts(lm, { search: "dfs", evaluator: "vote" }).complete(ask, ctx);
  assert.deepEqual(proposals(lm), [[], ["B"], ["B", "BB"]]);
  assert.equal(resultText(r), "ANSWER from B>BB>BBB");
  assert.equal(events(ctx, "vote").length, 3);
});

test("a budget stop in DFS returns the best state so far; stream agrees with complete", async () => {
  const budgeted = treeLM({ values, complete: ["AA"] });
  const r = await treeOfThoughts(budgeted, { search: "dfs" }).complete(ask, createRunContext({ budget: { calls: 5 } }));
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(resultText(r), "Step 1: B is the next step.");
  const { text, result } = await collectStream(
    treeOfThoughts(treeLM({ values, complete: ["AA"] }), { search: "dfs" }).stream(ask),
  );
  assert.equal(text, "ANSWER from A>AA");
  assert.equal(resultText(result), text);
});
