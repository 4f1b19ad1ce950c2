import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { resultText } from "../../core/messages.ts";
import { openaiLM } from "../../providers/openai/openai-lm.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import type { Span } from "../../trace/span.ts";
import { selfRefine } from "../iterate/self-refine.ts";
import { bestOfN } from "../sample-many/best-of-n.ts";
import { selfConsistency } from "../sample-many/self-consistency.ts";

// Partial failures through the real plumbing: an OpenAI-compatible HTTP server failing a fraction
// of requests with 503, the openai SDK, the accounting path's retries (kept few to keep tests fast).
const ask = { messages: [{ role: "user" as const, content: "How much does Janet make?" }] };
const lmOf = (url: string, retries: number) =>
  openaiLM({ model: "test-model", baseURL: url, apiKey: "test", retry: { retries, baseDelayMs: 1, maxDelayMs: 5 } });
const events = (span: Span, name: string) => span.events.filter((e) => e.name === name);

test("self-consistency(n=5) against an upstream failing every 3rd request: votes over the samples that answered, marked partial", async () => {
  const server = await startOpenAITestServer({
    reply: () => "9 eggs at $2.\nThe answer is 18.",
    behaviour: { failEvery: { every: 3, status: 503 } },
  });
  try {
    const ctx = createRunContext();
    // No retries: the n=5 call (POST 1) fails, then five single calls, of which POST 4 fails.
    const result = await selfConsistency(lmOf(server.url, 0), { n: 5, answer: "number" }).complete(ask, ctx);
    assert.match(resultText(result), /18/);
    assert.equal(result.choices[0]!.finish_reason, "partial");
    const technique = ctx.span.children[0]!;
    const partial = events(technique, "partial")[0]!;
    assert.deepEqual(
      { samples: partial.data.samples, asked: partial.data.asked, failed: partial.data.failed },
      { samples: 4, asked: 5, failed: 1 },
    );
    assert.equal(events(technique, "vote")[0]!.data.total, 4, "the vote is over the four answers");
    assert.equal(server.requests.length, 6);
    assert.deepEqual(
      server.requests.slice(1).map((r) => r.body.n ?? 1),
      [1, 1, 1, 1, 1],
    );
  } finally {
    await server.close();
  }
});

test("with one retry the same flaky upstream gives a full vote, unmarked", async () => {
  const server = await startOpenAITestServer({
    reply: () => "The answer is 18.",
    behaviour: { failEvery: { every: 3, status: 503 } },
  });
  try {
    const result = await selfConsistency(lmOf(server.url, 1), { n: 5, answer: "number" }).complete(ask);
    assert.equal(result.choices[0]!.finish_reason, "stop");
  } finally {
    await server.close();
  }
});

test("only when no sample answered is it an error", async () => {
  const server = await startOpenAITestServer({ behaviour: { failEvery: { every: 1, status: 503 } } });
  try {
    await assert.rejects(selfConsistency(lmOf(server.url, 0), { n: 3 }).complete(ask), { name: "UpstreamError" });
    assert.equal(server.requests.length, 1 + 3);
  } finally {
    await server.close();
  }
});

test("best-of-n keeps the candidates that answered, and a judge that kept failing leaves its candidate unscored", async () => {
  const server = await startOpenAITestServer({
    reply: (body) => (JSON.stringify(body).includes("grading") ? "Fine.\nScore: 7" : "a candidate"),
    behaviour: { failEvery: { every: 3, status: 503 } },
  });
  try {
    const ctx = createRunContext();
    const result = await bestOfN(lmOf(server.url, 0), { n: 4 }).complete(ask, ctx);
    assert.equal(resultText(result), "a candidate");
    assert.equal(result.choices[0]!.finish_reason, "partial");
    const technique = ctx.span.children[0]!;
    assert.equal(events(technique, "partial")[0]!.data.samples, 3);
    assert.equal(events(technique, "judges failed").length, 1, "one of the three judge calls hit a failing request");
  } finally {
    await server.close();
  }
});

test("self-refine: a critique that keeps failing ends the rounds with the draft so far, marked partial", async () => {
  const server = await startOpenAITestServer({ reply: () => "The draft answer." });
  try {
    const ctx = createRunContext();
    const lm = lmOf(server.url, 1);
    // Every request after the draft fails: the critique and its retry.
    const refining = selfRefine(lm, { rounds: 2 }).complete(ask, ctx);
    await waitFor(() => server.requests.length >= 1);
    server.behaviour.failEvery = { every: 1, status: 503 };
    const result = await refining;
    assert.equal(resultText(result), "The draft answer.");
    assert.equal(result.choices[0]!.finish_reason, "partial");
    assert.equal(events(ctx.span.children[0]!, "partial")[0]!.data.stage, "critique");
  } finally {
    await server.close();
  }
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 1));
}
