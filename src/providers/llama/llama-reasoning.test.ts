import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { ChatRequest } from "../../core/types.ts";
import { collectEvents } from "../../testing/collect-events.ts";
import { llamaLM } from "./llama-lm.ts";
import { writeTinyGguf } from "./testing/write-tiny-gguf.ts";

// The tiny model writes noise and never closes a <think> block by itself: the prompt opens one (as
// reasoning models' templates do), so everything it writes is reasoning until reasoning_effort's cap.
let dir: string;
let lm: ReturnType<typeof llamaLM>;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lmx-llama-reasoning-"));
  lm = llamaLM({
    model: await writeTinyGguf({ path: path.join(dir, "tiny.gguf"), seed: 7 }),
    threads: 1,
    contextSize: 512,
  });
});

after(async () => {
  await lm.close();
  await rm(dir, { recursive: true, force: true });
});

const thinking: ChatRequest = {
  messages: [
    { role: "user", content: "What is 6 times 7?" },
    { role: "assistant", content: "<think>" },
  ],
  seed: 4,
};

test("reasoning_effort caps the thinking: at the cap the block is closed and the model answers", async () => {
  const r = await lm.complete({ ...thinking, reasoning_effort: "minimal", max_tokens: 300 });
  const message = r.choices[0]!.message;
  assert.ok(message.reasoning_content, "the thinking came back as reasoning");
  // One token per character in the tiny vocabulary: the cap is minimal's 256 tokens.
  assert.ok(message.reasoning_content.trimEnd().length <= 256, `${message.reasoning_content.length} characters`);
  // 256 thinking tokens, then the 11 of the closing "\n</think>\n\n" lmx put in.
  assert.equal(r.usage.reasoning_tokens, 256 + 11);
  assert.ok(r.usage.completion_tokens <= 300);
  assert.equal(typeof message.content, "string");
  assert.ok(!message.content!.includes("</think>"), "the closing tag is not in the answer");
});

test("without reasoning_effort the block stays open: it is all reasoning, cut at max_tokens", async () => {
  const r = await lm.complete({ ...thinking, max_tokens: 40 });
  assert.equal(r.choices[0]!.message.content, "");
  assert.ok(r.choices[0]!.message.reasoning_content!.length > 0);
  assert.equal(r.usage.reasoning_tokens, r.usage.completion_tokens);
});

test("effort none closes the block at once; streamed reasoning and answer match the complete result", async () => {
  const request = { ...thinking, reasoning_effort: "none" as const, max_tokens: 30 };
  const done = await lm.complete(request);
  assert.ok(done.choices[0]!.message.reasoning_content!.trim().length <= 1);
  assert.ok(done.choices[0]!.message.content!.length > 0, "the model answered");
  const { deltas, result } = await collectEvents(lm.stream(request));
  assert.equal(deltas.map((d) => d.reasoning ?? "").join(""), result.choices[0]!.message.reasoning_content ?? "");
  assert.equal(deltas.map((d) => d.content ?? "").join(""), result.choices[0]!.message.content);
  assert.deepEqual(result.choices[0]!.message, done.choices[0]!.message, "same seed, same sample");
});
