import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { contentText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { collectEvents } from "../../testing/collect-events.ts";
import { llamaLM } from "../../providers/llama/llama-lm.ts";
import { writeTinyGguf } from "../../providers/llama/testing/write-tiny-gguf.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { selfConsistency } from "../sample-many/index.ts";
import type { Span } from "../../trace/span.ts";
import { think } from "./think.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "What is 6 times 7?" }] };

/** The assistant's partial message a call continues, if any. */
function prefillOf(request: ChatRequest): string | undefined {
  const last = request.messages.at(-1)!;
  return last.role === "assistant" ? contentText(last.content) : undefined;
}

/**
 * A thinking model: inside an open <think> block it writes `steps` words per call (cut at max_tokens,
 * then finish "length") and ends its thinking; after the block it answers `answer`.
 */
function thinker(steps: number, answer = "The answer is 42.") {
  return scriptedLM((request) => {
    const prefill = prefillOf(request) ?? "";
    if (prefill.includes("</think>")) return " \n\n" + answer;
    const want = Array.from({ length: steps }, (_, i) => `step${i}`);
    const cap = request.max_tokens ?? Infinity;
    const words = want.slice(0, cap);
    return {
      content: ` ${words.join(" ")} The answer is 41.\n`,
      completion_tokens: words.length,
      finish_reason: words.length < want.length ? "length" : "stop",
    };
  });
}

test("a model stopping short of min_tokens is told to wait, until it has thought enough; then it answers", async () => {
  const lm = thinker(10);
  const ctx = createRunContext();
  const r = await think(lm, { min_tokens: 25, max_tokens: 100 }).complete(ask, ctx);
  const thinking = lm.calls.filter((c) => !prefillOf(c)!.includes("</think>"));
  assert.equal(thinking.length, 3, "10 + 10 + 10 tokens reach 25 after two waits");
  assert.deepEqual(thinking[0]!.stop, ["</think>"]);
  assert.deepEqual(
    thinking.map((c) => c.max_tokens),
    [100, 90, 80],
    "each call may think what is left of max_tokens",
  );
  assert.match(prefillOf(thinking[2]!)!, /^<think> step0[^]*\nWait step0[^]*\nWait$/);
  const answerCall = lm.calls.at(-1)!;
  assert.match(prefillOf(answerCall)!, /\nWait step0 [^]*\n<\/think>$/);
  assert.equal(answerCall.stop, undefined);
  assert.equal(r.choices[0]!.message.content, "The answer is 42.");
  assert.equal((r.choices[0]!.message.reasoning_content!.match(/Wait/g) ?? []).length, 2);
  assert.equal(r.usage.calls, 4);
  const span = ctx.span.children[0]!.children.find((s: Span) => s.name === "think")!;
  assert.equal(span.attributes.thinking_tokens, 30);
  assert.equal(span.attributes.waits, 2);
});

test("at max_tokens thinking is ended for the model, whatever it wanted", async () => {
  const lm = thinker(500);
  const r = await think(lm, { max_tokens: 64, wait: "Hmm" }).complete(ask);
  assert.equal(lm.calls.length, 2, "one thinking call, cut at 64 tokens, then the answer");
  assert.equal(lm.calls[0]!.max_tokens, 64);
  assert.match(r.choices[0]!.message.reasoning_content!, /step63 The answer is 41\.$/);
  assert.doesNotMatch(r.choices[0]!.message.reasoning_content!, /Hmm|step64/);
  assert.equal(r.choices[0]!.message.content, "The answer is 42.");
});

test("streamed: the thinking comes first as reasoning, then the answer's deltas without the block's blank line", async () => {
  const lm = thinker(10);
  const { deltas, result } = await collectEvents(think(lm, { min_tokens: 15 }).stream(ask));
  assert.ok(deltas[0]!.reasoning?.startsWith("step0"), JSON.stringify(deltas[0]));
  assert.equal(deltas.filter((d) => d.reasoning).length, 1);
  assert.equal(deltas.map((d) => d.content ?? "").join(""), "The answer is 42.");
  assert.equal(result.choices[0]!.message.content, "The answer is 42.");
  assert.match(result.choices[0]!.message.reasoning_content!, /\nWait step0/);
});

test("waits are bounded: a model that never thinks gets max_waits more tries, then answers", async () => {
  const lm = thinker(0);
  const r = await think(lm, { min_tokens: 50, max_waits: 3 }).complete(ask);
  assert.equal(lm.calls.length, 1 + 3 + 1);
  assert.equal(r.choices[0]!.message.content, "The answer is 42.");
});

test("min_tokens above max_tokens, or a wait word too long, is a clear error", () => {
  assert.throws(() => think(thinker(1), { min_tokens: 10, max_tokens: 5 }), /min_tokens/);
  assert.throws(() => think(thinker(1), { wait: "x".repeat(65) }), /wait/);
});

test("self-consistency over think votes on the answers, not on the numbers in the thinking", async () => {
  const answers = ["The answer is 42.", "The answer is 42.", "The answer is 41."];
  let k = 0;
  const lm = scriptedLM((request) => {
    const prefill = prefillOf(request) ?? "";
    if (prefill.includes("</think>")) return answers[k++ % 3]!;
    return { content: " Surely the answer is 41. Or 40.", completion_tokens: 8 };
  });
  const r = await selfConsistency(think(lm, { min_tokens: 0 }), { n: 3 }).complete(ask);
  assert.equal(r.choices[0]!.message.content, "The answer is 42.");
  assert.match(r.choices[0]!.message.reasoning_content!, /41\. Or 40\./, "the winner keeps its thinking");
});

test("on a local llama.cpp model: thinking continues the assistant's message, is told to wait, and stays within the bounds", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lmx-think-"));
  const model = await writeTinyGguf({ path: path.join(dir, "tiny.gguf"), seed: 7 });
  const lm = llamaLM({ model, threads: 1, contextSize: 512 });
  try {
    // Seed 11 makes the tiny model end its turn early once (found by trying seeds; sampling is reproducible).
    const ctx = createRunContext({ seed: 11 });
    const r = await think(lm, { min_tokens: 60, max_tokens: 80 }).complete({ ...ask, max_tokens: 4 }, ctx);
    const span = ctx.span.children[0]!.children.find((s: Span) => s.name === "think")!;
    const tokens = span.attributes.thinking_tokens as number;
    assert.ok(tokens >= 60 && tokens <= 80, `thought ${tokens} tokens`);
    assert.ok((span.attributes.waits as number) >= 1, "the model stopped early and was told to wait");
    const lmSpans = span.children.filter((s: Span) => s.kind === "lm");
    assert.equal(lmSpans.length, 1 + (span.attributes.waits as number));
    // Every thinking call's prompt ended in the open block, so llama.cpp continued it (no new turn).
    for (const s of lmSpans) assert.match(prefillOf(s.attributes.request as ChatRequest)!, /^<think>/);
    assert.match(prefillOf(lmSpans[1]!.attributes.request as ChatRequest)!, /\nWait$/);
    assert.equal(span.total.completion_tokens, tokens, "the thinking tokens are what llama.cpp generated");
    assert.equal(r.usage.reasoning_tokens, tokens, "llama.cpp counts the open block's tokens as reasoning");
    assert.match(r.choices[0]!.message.reasoning_content!, /\nWait/);
    assert.ok(r.usage.completion_tokens <= tokens + 4, "the answer kept the caller's max_tokens");
  } finally {
    await lm.close();
    await rm(dir, { recursive: true, force: true });
  }
});
