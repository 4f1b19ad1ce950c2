import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { LlamaContext, LlamaGrammar } from "node-llama-cpp";
import { splitThink } from "../reasoning/think-splitter.ts";
import { renderChatPrompt } from "./chat-prompt.ts";
import { generateSample } from "./generate-sample.ts";
import { acquireModel, type ModelHandle } from "./llama-runtime.ts";
import { loadedNodeLlamaCpp } from "./load-node-llama-cpp.ts";
import { writeTinyGguf } from "./testing/write-tiny-gguf.ts";

// The tiny model writes noise; a grammar makes it open a <think> block and never close it, so only
// the thinking cap can end the block.
let dir: string;
let handle: ModelHandle;
let context: LlamaContext;
let grammar: LlamaGrammar;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lmx-think-cap-"));
  handle = await acquireModel({ path: await writeTinyGguf({ path: path.join(dir, "tiny.gguf"), seed: 7 }) });
  context = await handle.model.createContext({ contextSize: 512, threads: 1 });
  grammar = await handle.llama.createGrammar({ grammar: 'root ::= "<think>" x\nx ::= [a-z ] x' });
});

after(async () => {
  await context.dispose();
  await handle.release();
  await rm(dir, { recursive: true, force: true });
});

async function sample(thinkingCap: number | undefined, maxTokens = 60) {
  const { model } = handle;
  const prompt = renderChatPrompt({
    model,
    chatWrapper: loadedNodeLlamaCpp().resolveChatWrapper(model),
    messages: [{ role: "user", content: "Think, then answer." }],
  });
  const sequence = context.getSequence();
  try {
    const pieces: string[] = [];
    const samples = generateSample({
      model,
      sequence,
      prompt,
      sampling: { temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, seed: 5 },
      maxTokens,
      grammar,
      thinkingCap,
      signal: new AbortController().signal,
    });
    let step = await samples.next();
    for (; !step.done; step = await samples.next()) pieces.push(step.value);
    return { ...step.value, streamed: pieces.join("") };
  } finally {
    sequence.dispose();
  }
}

test("without a cap the block stays open to the end of the sample", async () => {
  const s = await sample(undefined);
  assert.match(s.content, /^<think>[a-z ]+$/);
  assert.equal(s.completionTokens, 60);
  assert.equal(s.reasoningTokens, 60, "a block never closed is all reasoning");
});

test("at the thinking cap the closing tag is forced and the model goes on with its answer", async () => {
  const s = await sample(20);
  const { reasoning, content } = splitThink(s.content);
  assert.ok(reasoning !== undefined && content.length > 0, JSON.stringify(s.content));
  // One token per character in the tiny vocabulary: "<think>" is 7 of the 20.
  assert.equal(reasoning.trimEnd().length, 20 - 7);
  assert.equal(s.streamed, s.content, "the forced tag streams like generated text");
  assert.equal(s.completionTokens, 60, "forced tokens count as completion tokens, within max_tokens");
  assert.equal(s.reasoningTokens, 20 + 11, "the block's tokens, its forced closing tag included");
});

test("a cap the closing tag cannot fit under max_tokens is not forced (the budget's cap holds)", async () => {
  const s = await sample(20, 22);
  assert.equal(splitThink(s.content).content, "");
  assert.equal(s.completionTokens, 22);
});
