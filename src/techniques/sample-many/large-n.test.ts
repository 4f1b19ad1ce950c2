import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { resultText } from "../../core/messages.ts";
import { openaiLM } from "../../providers/openai/openai-lm.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import type { Span } from "../../trace/span.ts";
import { defaultRegistry } from "../registry.ts";
import { buildTechniques, parseTechniqueSpec } from "../spec/index.ts";
import { adaptiveConsistency } from "./adaptive-consistency.ts";
import { bestOfN } from "./best-of-n.ts";

const ask = { messages: [{ role: "user" as const, content: "How much does Janet make?" }] };
const lmSpans = (span: Span): Span[] => span.children.flatMap((c) => (c.kind === "lm" ? [c] : lmSpans(c)));

test("self-consistency(n=300) from a spec: requests of at most 128 over real HTTP, every sample at its own index", async () => {
  // Sample i answers 18 unless i % 3 == 0 (then 7): the vote needs all batches to see the majority right.
  const server = await startOpenAITestServer({
    reply: (_body, i) => `Working...\nThe answer is ${i % 3 === 0 ? 7 : 18}.`,
  });
  try {
    const base = openaiLM({ model: "test-model", baseURL: server.url, apiKey: "test" });
    const lm = buildTechniques(parseTechniqueSpec("self-consistency(n=300, answer=number)"), base, {
      registry: defaultRegistry(),
      resolveModel: () => base,
    });
    const ctx = createRunContext();
    const result = await lm.complete(ask, ctx);
    assert.match(resultText(result), /answer is 18/);
    assert.deepEqual(server.requests.map((r) => r.body.n).sort(), [128, 128, 44].sort());
    assert.equal(result.usage.calls, 3);
    const indices = lmSpans(ctx.span).flatMap((s) =>
      Array.from({ length: Number(s.attributes.n) }, (_, k) => Number(s.attributes.sample_index) + k),
    );
    assert.deepEqual(
      indices.sort((a, b) => a - b),
      Array.from({ length: 300 }, (_, i) => i),
    );
    const vote = ctx.span.children[0]!.events.find((e) => e.name === "vote")!.data as { total: number };
    assert.equal(vote.total, 300);
  } finally {
    await server.close();
  }
});

test("n above 1,000 is refused; per_call sets the request size", async () => {
  const server = await startOpenAITestServer({ reply: (_body, i) => `The answer is ${i}.` });
  try {
    const base = openaiLM({ model: "test-model", baseURL: server.url, apiKey: "test" });
    assert.throws(() => bestOfN(base, { n: 1001 }), /n/);
    const picked = await bestOfN(base, {
      n: 250,
      per_call: 100,
      judge: (c: { text: string }) => (c.text === "The answer is 249." ? 1 : 0),
    }).complete(ask);
    assert.equal(resultText(picked), "The answer is 249.");
    assert.deepEqual(server.requests.map((r) => r.body.n).sort(), [100, 100, 50].sort());
  } finally {
    await server.close();
  }
});

test("a budget that pays for some batches leaves a partial vote marked budget", async () => {
  const server = await startOpenAITestServer({ reply: () => "The answer is 18." });
  try {
    const base = openaiLM({ model: "test-model", baseURL: server.url, apiKey: "test" });
    const ctx = createRunContext({ budget: { calls: 1 } });
    const result = await adaptiveConsistency(base, { min: 300, max: 300, per_call: 128, answer: "number" }).complete(
      ask,
      ctx,
    );
    assert.equal(result.choices[0]!.finish_reason, "budget");
    assert.match(resultText(result), /18/);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});
