import assert from "node:assert/strict";
import { test } from "node:test";
import { opensThinking, splitThink, ThinkSplitter } from "./think-splitter.ts";

/** Streams `text` in pieces of `size` characters and joins what comes out. */
function streamed(text: string, size: number) {
  const s = new ThinkSplitter();
  let reasoning = "";
  let content = "";
  const take = (p: { reasoning?: string; content?: string }) => {
    reasoning += p.reasoning ?? "";
    content += p.content ?? "";
  };
  for (let i = 0; i < text.length; i += size) take(s.push(text.slice(i, i + size)));
  take(s.end());
  return { reasoning, content };
}

test("a leading <think> block is split off the answer, whole and streamed at every piece size", () => {
  const text = "<think>\n17 + 25 is 41? no, 42.\n</think>\n\nThe answer is 42.";
  const want = { reasoning: "\n17 + 25 is 41? no, 42.\n", content: "The answer is 42." };
  assert.deepEqual(splitThink(text), want);
  for (let size = 1; size <= text.length; size++) assert.deepEqual(streamed(text, size), want, `size ${size}`);
});

test("text without a leading block is all answer, even when it mentions the tags later", () => {
  const text = "Use <think> tags like <think>x</think>.";
  assert.deepEqual(splitThink(text), { content: text });
  for (const size of [1, 2, 3, 7]) assert.deepEqual(streamed(text, size), { reasoning: "", content: text });
  assert.deepEqual(splitThink("<thin"), { content: "<thin" });
  assert.deepEqual(streamed("<thin", 1), { reasoning: "", content: "<thin" });
});

test("a block never closed (the model ran out of tokens) is all reasoning; a partial close tag is kept", () => {
  assert.deepEqual(splitThink("<think>still going </thi"), { reasoning: "still going </thi", content: "" });
  assert.deepEqual(streamed("<think>still going </thi", 2), { reasoning: "still going </thi", content: "" });
});

test("reasoning reaches the reader before the block closes", () => {
  const s = new ThinkSplitter();
  assert.deepEqual(s.push("<thi"), {});
  assert.deepEqual(s.push("nk>step one, "), { reasoning: "step one, " });
  assert.deepEqual(s.push("step two</"), { reasoning: "step two" });
  assert.deepEqual(s.push("think>7"), { content: "7" });
  assert.deepEqual(s.end(), {});
});

test("text that starts inside a block the prompt opened is reasoning up to </think>", () => {
  const text = "so 6*7 = 42\n</think>\n\n42";
  assert.deepEqual(splitThink(text, { open: true }), { reasoning: "so 6*7 = 42\n", content: "42" });
  assert.deepEqual(splitThink("still thinking", { open: true }), { reasoning: "still thinking", content: "" });
  const s = new ThinkSplitter({ open: true });
  assert.deepEqual(s.push("a </th"), { reasoning: "a " });
  assert.deepEqual(s.push("ink> b"), { content: "b" });
});

test("a prompt opens thinking when it ends in <think> or its prefill has an unclosed block", () => {
  assert.equal(opensThinking(undefined, "<|im_start|>assistant\n<think>\n"), true);
  assert.equal(opensThinking("<think>\nfirst, Wait", "...first, Wait"), true);
  assert.equal(opensThinking("<think>done</think>", "done</think>"), false);
  assert.equal(opensThinking(undefined, "user\nExplain <think>\nassistant\n"), false);
});
