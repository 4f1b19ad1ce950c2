import assert from "node:assert/strict";
import { test } from "node:test";
import { betterNode, formatSteps, isCompleteStep, rootNode } from "./thought-node.ts";

test("a step completes the solution when a line starts with the marker, whatever the case and emphasis", () => {
  const marker = "Final answer:";
  assert.ok(isCompleteStep({ step: "6 * 4 = 24\nFinal answer: 24", marker }));
  assert.ok(isCompleteStep({ step: "**Final Answer:** 24", marker }));
  assert.ok(!isCompleteStep({ step: "We are close to the final answer: keep going.", marker }), "only at a line start");
  assert.ok(!isCompleteStep({ step: "4 + 6 = 10", marker }));
});

test("steps are numbered; states compare by score, then depth", () => {
  assert.equal(formatSteps([]), "(none yet)");
  assert.equal(formatSteps(["a", "b"]), "Step 1: a\nStep 2: b");
  const shallow = { ...rootNode(), id: 1, depth: 1, score: 5 };
  const deep = { ...rootNode(), id: 2, depth: 2, score: 5 };
  assert.ok(betterNode(deep, shallow));
  assert.ok(!betterNode(shallow, deep));
  assert.ok(betterNode({ ...shallow, score: 6 }, deep));
  assert.ok(betterNode(shallow, undefined));
});
