import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText } from "../../core/messages.ts";
import { llamaLM } from "../../providers/llama/llama-lm.ts";
import { writeTinyGguf } from "../../providers/llama/testing/write-tiny-gguf.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import type { Span } from "../../trace/span.ts";
import { sampleConfidence } from "../answers/index.ts";
import { adaptiveConsistency } from "./adaptive-consistency.ts";
import { selfConsistency } from "./self-consistency.ts";

// The tiny model writes noise, but with real llama.cpp token logprobs.
let dir: string;
let lm: ReturnType<typeof llamaLM>;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lmx-confidence-"));
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

const ask = { messages: [{ role: "user" as const, content: "Hello there" }], max_tokens: 6, temperature: 1, seed: 3 };
const voteEvent = (span: Span): Record<string, unknown> => {
  const found = span.events.find((e) => e.name === "vote");
  return found ? found.data : span.children.map(voteEvent).find(Boolean)!;
};

test("self-consistency keep=top:0.5 over llama.cpp logprobs: only the most confident half votes, and the answer is one of them", async () => {
  const ctx = createRunContext();
  const result = await selfConsistency(lm, { n: 6, answer: "text", keep: "top:0.5", weight: "confidence" }).complete(
    ask,
    ctx,
  );
  const chosen = result.choices[0]!;
  const mine = sampleConfidence(chosen);
  assert.ok(mine !== undefined && mine > 0, "llama.cpp returned top logprobs for the sample");
  const v = voteEvent(ctx.span) as { groups: { indices: number[]; weight: number }[]; total: number };
  assert.equal(v.total, 6);
  const voted = v.groups.flatMap((g) => g.indices);
  assert.equal(voted.length, 3, "ceil(0.5 × 6) samples vote");
  // The weights are the voters' confidences: the winner's weight is at least the chosen sample's own.
  assert.ok(v.groups[0]!.weight >= mine - 1e-9);
  assert.ok(contentText(chosen.message.content).length > 0);
});

test("adaptive-consistency weight=confidence samples with logprobs; a model without logprobs is a clear error", async () => {
  const ctx = createRunContext();
  const result = await adaptiveConsistency(lm, { max: 4, min: 2, answer: "text", weight: "confidence" }).complete(
    ask,
    ctx,
  );
  assert.ok(sampleConfidence(result.choices[0]!) !== undefined);
  const none = scriptedLM(() => "The answer is 4.", { capabilities: { logprobs: false } });
  await assert.rejects(
    selfConsistency(none, { n: 3, weight: "confidence" }).complete(ask),
    (e) => InvalidRequestError.isInstance(e) && /need token logprobs/.test(e.message),
  );
});
