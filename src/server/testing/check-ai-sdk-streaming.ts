import assert from "node:assert/strict";
import { streamText, type LanguageModel } from "ai";
import type { ProxyFixture } from "./proxy-fixture.ts";

/**
 * streamText through `lmx serve` with an AI SDK provider's model (`model(id)`), the fixture's upstream
 * answering "Hello from upstream": the text arrives in pieces and whole, finishing `stop` with the
 * upstream's output tokens; and a technique's progress (chunks or events of its own) does not
 * trip the provider's stream parser.
 */
export async function checkAiSdkStreaming(
  f: ProxyFixture,
  model: (id: string) => LanguageModel,
  plainId: string,
): Promise<void> {
  const streamed = streamText({ model: model(plainId), prompt: "hi", maxRetries: 0 });
  const pieces: string[] = [];
  for await (const piece of streamed.textStream) pieces.push(piece);
  assert.ok(pieces.length >= 3, "text arrived in pieces");
  assert.equal(pieces.join(""), "Hello from upstream");
  assert.equal(await streamed.finishReason, "stop");
  assert.equal((await streamed.usage).outputTokens, f.upstream.reported.at(-1)!.completion_tokens);

  const progressed = streamText({ model: model("majority-vote(n=2)@openai:test-model"), prompt: "hi", maxRetries: 0 });
  assert.equal(await progressed.text, "Hello from upstream");
  assert.equal(await progressed.finishReason, "stop");
}
