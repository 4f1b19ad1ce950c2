import assert from "node:assert/strict";
import { test } from "node:test";
import { addUsage, emptyUsage } from "../../accounting/usage.ts";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { resultText } from "../../core/messages.ts";
import type { RunContext, TokenLogprob } from "../../core/types.ts";
import { openaiLM } from "../../providers/openai/openai-lm.ts";
import { scriptedLM, type ScriptedReply } from "../../providers/scripted/scripted-lm.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import type { Span } from "../../trace/span.ts";
import { selfConsistency } from "./self-consistency.ts";

const ask = {
  messages: [
    { role: "system" as const, content: "Think step by step." },
    { role: "user" as const, content: "How much does Janet make?" },
  ],
};

const paths = [
  "16 - 3 - 4 = 9 eggs are left, 9 * 2 = 18.\nThe answer is 7.",
  "She sells 16 - 7 = 9 eggs at $2 each.\nThe answer is $18.",
  "9 eggs, two dollars each: 18 dollars.\nAnswer: 18.00",
  "She keeps 3 + 4 = 7 eggs.\nThe answer is 5.",
  "Nine eggs times $2.\nSo the final answer is \\boxed{18}.",
];

function lmSpans(span: Span): Span[] {
  return span.children.flatMap((c) => (c.kind === "lm" ? [c] : lmSpans(c)));
}

function techniqueSpan(ctx: RunContext): Span {
  return ctx.span.children.find((s) => s.kind === "technique")!;
}

test("returns the full response of a member of the majority, with the vote in the trace", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => paths[sampleIndex % 5]!);
  const ctx = createRunContext();
  const progress: Record<string, unknown>[] = [];
  const result = await selfConsistency(lm, { n: 5, answer: "number" }).complete(ask, {
    ...ctx,
    onProgress: (p) => progress.push(p),
  });
  assert.equal(resultText(result), paths[1], "the whole reasoning path, not just the answer");
  assert.equal(result.choices.length, 1);
  assert.equal(result.choices[0]!.finish_reason, "stop");
  const voteEvent = techniqueSpan(ctx).events.find((e) => e.name === "vote")!;
  assert.deepEqual(
    (voteEvent.data.groups as { answer: string; count: number; indices: number[] }[]).map((g) => [
      g.answer,
      g.count,
      g.indices,
    ]),
    [
      ["18", 3, [1, 2, 4]],
      ["7", 1, [0]],
      ["5", 1, [3]],
    ],
  );
  assert.equal(voteEvent.data.winner, "18");
  assert.ok(progress.some((p) => p.technique === "self-consistency" && p.winner === "18"));
});

test("one request with n: a native-n provider gets one call; the request's fields reach it", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => paths[sampleIndex]!);
  await selfConsistency(lm, { n: 5, temperature: 0.7 }).complete({ ...ask, max_tokens: 300 });
  assert.equal(lm.calls.length, 1);
  assert.equal(lm.calls[0]!.n, 5);
  assert.equal(lm.calls[0]!.temperature, 0.7);
  assert.equal(lm.calls[0]!.max_tokens, 300);
  assert.deepEqual(lm.calls[0]!.messages, ask.messages);
});

test("without native n the samples are concurrent single calls, each a distinct sample", async () => {
  let inFlight = 0;
  let most = 0;
  const seen: number[] = [];
  const lm = scriptedLM(
    async (_r, { sampleIndex }) => {
      seen.push(sampleIndex);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return paths[sampleIndex]!;
    },
    { capabilities: { nativeN: false } },
  );
  const result = await selfConsistency(lm, { n: 5 }).complete(ask);
  assert.equal(resultText(result), paths[1]);
  assert.equal(most, 5, "all five calls were in flight together");
  assert.deepEqual(seen.sort(), [0, 1, 2, 3, 4]);
});

test("ties go to the answer with the higher mean logprob; its most likely member represents it", async () => {
  const lp = (x: number): TokenLogprob[] => [
    { token: "x", logprob: x },
    { token: "y", logprob: x },
  ];
  const replies: ScriptedReply[] = [
    { content: "The answer is (A).", logprobs: lp(-1.5) },
    { content: "I think it is B.\nThe answer is (B).", logprobs: lp(-0.4) },
    { content: "Surely A. The answer is A", logprobs: lp(-1.2) },
    { content: "Clearly (b) fits.\nAnswer: B", logprobs: lp(-0.2) },
  ];
  const lm = scriptedLM((_r, { sampleIndex }) => replies[sampleIndex]!);
  const result = await selfConsistency(lm, { n: 4, answer: "choice" }).complete({ ...ask, logprobs: true });
  assert.equal(
    resultText(result),
    replies[3]!.content,
    "B wins the 2–2 tie on logprob; sample 3 is its likeliest member",
  );
  // Without logprobs the first answer seen wins the tie.
  const plain = scriptedLM((_r, { sampleIndex }) => replies[sampleIndex]!.content!);
  assert.equal(resultText(await selfConsistency(plain, { n: 4, answer: "choice" }).complete(ask)), replies[0]!.content);
});

test("the representative's finish_reason is kept", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) =>
    sampleIndex === 0 ? { content: "The answer is 4 but", finish_reason: "length" } : `The answer is ${sampleIndex}`,
  );
  const result = await selfConsistency(lm, { n: 3, answer: "number" }).complete(ask);
  assert.equal(resultText(result), "The answer is 4 but");
  assert.equal(result.choices[0]!.finish_reason, "length");
});

test("no extractable answer in any sample: the first sample", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => `no digits here, take ${"xyz"[sampleIndex]}`);
  const result = await selfConsistency(lm, { n: 3, answer: "number" }).complete(ask);
  assert.equal(resultText(result), "no digits here, take x");
});

test("a budget that stops some samples: vote over those that came back, finish_reason budget", async () => {
  const answers = ["The answer is 7.", "The answer is 9.", "The answer is 9.", "The answer is 7.", "The answer is 7."];
  const lm = scriptedLM((_r, { sampleIndex }) => answers[sampleIndex]!, { capabilities: { nativeN: false } });
  const ctx = createRunContext({ budget: { calls: 3 } });
  const result = await selfConsistency(lm, { n: 5, answer: "number" }).complete(ask, ctx);
  assert.equal(lm.calls.length, 3, "the budget allowed three calls");
  assert.equal(result.choices[0]!.finish_reason, "budget");
  assert.equal(resultText(result), "The answer is 9.", "9 leads 2–1 among the three samples that came back");
  assert.equal(result.usage.calls, 3);
  assert.ok(techniqueSpan(ctx).events.some((e) => e.name === "stopped" && e.data.reason === "budget"));
});

test("usage equals the sum over the internal calls", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => paths[sampleIndex]!, { capabilities: { nativeN: false } });
  const ctx = createRunContext();
  const result = await selfConsistency(lm).complete(ask, ctx);
  const spans = lmSpans(techniqueSpan(ctx));
  assert.equal(spans.length, 5);
  const sum = spans.reduce((u, s) => addUsage(u, s.own), emptyUsage());
  assert.deepEqual(result.usage, sum);
  assert.ok(result.usage.completion_tokens > 0);
});

test("n > 1 on the technique gives independent votes over distinct samples", async () => {
  const seen: number[] = [];
  const lm = scriptedLM((_r, { sampleIndex }) => {
    seen.push(sampleIndex);
    return `The answer is ${sampleIndex % 1000 < 2 ? 1 : 2}`;
  });
  const result = await selfConsistency(lm, { n: 3 }).complete({ ...ask, n: 2 });
  assert.equal(result.choices.length, 2);
  assert.equal(new Set(seen).size, 6, "no sample index is used twice");
});

test("options are validated", () => {
  const lm = scriptedLM(() => "x");
  assert.throws(() => selfConsistency(lm, { n: 0 }), InvalidRequestError);
  assert.throws(() => selfConsistency(lm, { n: 2.5 }), InvalidRequestError);
  assert.throws(
    () => selfConsistency(lm, { answer: "numbers" }),
    (e) => InvalidRequestError.isInstance(e) && /answer/.test(e.message),
  );
  assert.throws(() => selfConsistency(lm, { votes: 3 } as never), InvalidRequestError);
  assert.equal(
    selfConsistency(lm, { n: 9, answer: "number" }).id,
    "self-consistency(n=9, answer=number)@scripted:test",
  );
});

test("over a real OpenAI-compatible server through the openai SDK: one HTTP request, or n when n is rejected", async () => {
  const server = await startOpenAITestServer({ reply: (_body, i) => paths[i % 5]! });
  try {
    const lm = openaiLM({ model: "test-model", baseURL: server.url, apiKey: "test" });
    const result = await selfConsistency(lm, { n: 5, answer: "number" }).complete(ask);
    assert.equal(resultText(result), paths[1]);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.body.n, 5);
    assert.equal(result.usage.calls, 1);

    server.behaviour.rejectN = true;
    const split = await selfConsistency(openaiLM({ model: "test-model", baseURL: server.url, apiKey: "test" }), {
      n: 5,
      answer: "number",
    }).complete(ask);
    assert.equal(/18/.test(resultText(split)), true);
    assert.equal(server.requests.length, 1 + 1 + 5, "the rejected n=5 request, then five single ones");
    assert.equal(split.usage.calls, 5);
  } finally {
    await server.close();
  }
});
