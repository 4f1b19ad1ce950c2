import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest, TokenLogprob } from "../../core/types.ts";
import type { Span } from "../../trace/span.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { bestOfN, type Candidate } from "./best-of-n.ts";
import { parseScore } from "./best-of-n-score.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "What is 17 * 3?" }] };
const isJudge = (r: ChatRequest) => lastUserText(r).includes("Candidate response:");
const techniqueSpan = (root: Span) => root.children.find((s) => s.kind === "technique")!;
const tokens = (...logprobs: number[]): TokenLogprob[] => logprobs.map((logprob, i) => ({ token: `t${i}`, logprob }));

test("judge=logprob returns the whole candidate with the highest mean token logprob (not the highest sum)", async () => {
  // Candidate 2 is long with a better mean but a worse sum than the short candidate 0.
  const bank = [tokens(-0.5), tokens(-2, -2), tokens(-0.2, -0.2, -0.2, -0.2, -0.2), tokens(-1, -1, -1)];
  const lm = scriptedLM((_r, { sampleIndex }) => ({
    content: `candidate-${sampleIndex} full text`,
    logprobs: bank[sampleIndex]!,
  }));
  const ctx = createRunContext();
  const r = await bestOfN(lm, { judge: "logprob" }).complete(ask, ctx);
  assert.equal(resultText(r), "candidate-2 full text");
  assert.deepEqual(r.choices[0]!.logprobs?.content, bank[2], "the full candidate comes back, logprobs included");
  assert.equal(lm.calls.length, 1, "all candidates come from one request");
  assert.equal(lm.calls[0]!.n, 4);
  assert.equal(lm.calls[0]!.logprobs, true, "logprobs are requested");
  const events = techniqueSpan(ctx.span).events;
  assert.equal(events.filter((e) => e.name === "score").length, 4);
  assert.equal(events.find((e) => e.name === "select")!.data.index, 2);
});

test("judge=logprob fails clearly when the inner LM cannot give logprobs", async () => {
  const blind = scriptedLM(() => "x", { capabilities: { logprobs: false } });
  await assert.rejects(
    bestOfN(blind, { judge: "logprob" }).complete(ask),
    (e) => InvalidRequestError.isInstance(e) && e.param === "judge" && /logprobs/.test(e.message),
  );
  assert.equal(blind.calls.length, 0, "nothing is sampled when the judge cannot work");
  const silent = scriptedLM(() => "no logprobs here");
  await assert.rejects(
    bestOfN(silent, { judge: "logprob" }).complete(ask),
    (e) => InvalidRequestError.isInstance(e) && /returned none/.test(e.message),
  );
});

test("judge=llm scores every candidate concurrently with a separate judge model and picks the top score", async () => {
  const inner = scriptedLM((_r, { sampleIndex }) => `candidate-${sampleIndex}: 17 * 3 = ${49 + sampleIndex}`);
  const replies = ["Looks off.\nScore: 3", "7", "Checked: 17*3 = 51.\n**Score:** 9/10", "I cannot decide."];
  let inFlight = 0;
  let maxInFlight = 0;
  const judge = scriptedLM(
    async (r) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(30);
      inFlight--;
      return replies[Number(/candidate-(\d+)/.exec(lastUserText(r))![1])]!;
    },
    { name: "judge" },
  );
  const ctx = createRunContext();
  const r = await bestOfN(inner, { judge_model: judge }).complete(ask, ctx);
  assert.equal(resultText(r), "candidate-2: 17 * 3 = 51");
  assert.equal(inner.calls.length, 1, "the inner LM only samples");
  assert.equal(judge.calls.length, 4);
  assert.ok(judge.calls.every(isJudge));
  assert.equal(maxInFlight, 4, "judge calls overlap");
  const scores = techniqueSpan(ctx.span).events.find((e) => e.name === "select")!.data.scores;
  assert.deepEqual(scores, [3, 7, 9, null]);
  assert.equal(r.usage.calls, 5, "usage counts the sampling call and every judge call");
  const lmSpans = (s: Span): Span[] => (s.kind === "lm" ? [s] : s.children.flatMap(lmSpans));
  const calls = lmSpans(ctx.span);
  assert.equal(calls.length, 5, "every internal call is in the trace");
  assert.equal(
    r.usage.completion_tokens,
    calls.reduce((sum, s) => sum + s.own.completion_tokens, 0),
  );
  assert.equal(
    r.usage.prompt_tokens,
    calls.reduce((sum, s) => sum + s.own.prompt_tokens, 0),
  );
});

test("judge calls keep the conversation; candidates keep the caller's sampling settings", async () => {
  const request: ChatRequest = {
    messages: [
      { role: "system", content: "Be terse." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello." },
      { role: "user", content: "Name a prime above 10." },
    ],
    temperature: 0.4,
    max_tokens: 50,
    response_format: { type: "json_object" },
  };
  const lm = scriptedLM((r, { sampleIndex }) =>
    isJudge(r)
      ? `Score: ${sampleIndex === 0 && lastUserText(r).includes("11") ? 8 : 2}`
      : `${[11, 9][sampleIndex % 2]}`,
  );
  const r = await bestOfN(lm, { n: 2 }).complete(request);
  assert.equal(resultText(r), "11");
  const sample = lm.calls.find((c) => !isJudge(c))!;
  assert.equal(sample.temperature, 0.4);
  assert.equal(sample.max_tokens, 50);
  assert.deepEqual(sample.response_format, { type: "json_object" });
  const judgeCall = lm.calls.find(isJudge)!;
  assert.equal(judgeCall.messages.length, 4);
  assert.equal(judgeCall.messages[0]!.content, "Be terse.");
  assert.equal(judgeCall.messages[2]!.content, "Hello.");
  assert.ok(lastUserText(judgeCall).includes("Name a prime above 10."));
  assert.equal(judgeCall.response_format, undefined, "the judge answers in free text");
});

test("a verifier function picks the candidate and sees the candidate and the request", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => `The answer is ${[48, 51, 52, 50][sampleIndex]}.`);
  const seen: Candidate[] = [];
  const verifier = (c: Candidate, request: ChatRequest) => {
    seen.push(c);
    assert.equal(request, ask);
    return c.text.includes("51") ? 1 : 0;
  };
  const r = await bestOfN(lm, { judge: verifier }).complete(ask);
  assert.equal(resultText(r), "The answer is 51.");
  assert.deepEqual(seen.map((c) => c.index).sort(), [0, 1, 2, 3]);
  assert.equal(lm.calls.length, 1);
});

test("ties go to the earlier candidate; no score at all keeps the first", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => `c${sampleIndex}`);
  assert.equal(resultText(await bestOfN(lm, { judge: (c) => (c.index >= 1 ? 5 : 1) }).complete(ask)), "c1");
  assert.equal(resultText(await bestOfN(lm, { judge: () => Number.NaN }).complete(ask)), "c0");
});

test("a budget stop during judging returns the best candidate scored so far", async () => {
  const scoresBySample = [2, 6, 10, 10];
  const lm = scriptedLM((r, { sampleIndex }) =>
    isJudge(r) ? `Score: ${scoresBySample[Number(/c(\d)/.exec(lastUserText(r))![1])]}` : `c${sampleIndex}`,
  );
  // One sampling call and two judge calls fit; the judges of c2 and c3 are refused.
  const ctx = createRunContext({ budget: { calls: 3 } });
  const r = await bestOfN(lm).complete(ask, ctx);
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(resultText(r), "c1");
  assert.equal(r.usage.calls, 3);
});

test("a budget that cut the sampling short marks the pick finish_reason budget", async () => {
  // One call per sample: the budget pays for 2 of the 4 candidates; a function judge needs no call.
  const lm = scriptedLM((_r, { sampleIndex }) => `c${sampleIndex}`, { capabilities: { nativeN: false } });
  const r = await bestOfN(lm, { judge: (c) => c.index }).complete(ask, createRunContext({ budget: { calls: 2 } }));
  assert.equal(lm.calls.length, 2);
  assert.equal(resultText(r), "c1");
  assert.equal(r.choices[0]!.finish_reason, "budget");
});

test("options are validated", () => {
  const lm = scriptedLM(() => "x");
  assert.throws(
    () => bestOfN(lm, { n: 0 }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "n",
  );
  assert.throws(
    () => bestOfN(lm, { judge: "vibes" as "llm" }),
    (e) => InvalidRequestError.isInstance(e),
  );
  assert.throws(
    () => bestOfN(lm, { prompt: "Rate {question}" }),
    (e) => InvalidRequestError.isInstance(e) && /\{answer\}/.test(e.message),
  );
  assert.throws(
    () => bestOfN(lm, { judge_model: "gpt" as never }),
    (e) => InvalidRequestError.isInstance(e),
  );
  assert.equal(bestOfN(lm).id, "best-of-n@scripted:test");
  assert.equal(bestOfN(lm, { n: 8, judge: "logprob" }).id, "best-of-n(n=8, judge=logprob)@scripted:test");
});

test("parseScore reads the common judge formats and rejects other scales", () => {
  assert.equal(parseScore("Score: 7"), 7);
  assert.equal(parseScore("**Score:** 8/10"), 8);
  assert.equal(parseScore("Score: 2 at first glance... final score: 6"), 6);
  assert.equal(parseScore("I'd give it 9 out of 10."), 9);
  assert.equal(parseScore("Rating = 4.5"), 4.5);
  assert.equal(parseScore(" 10 "), 10);
  assert.equal(parseScore("Score: 85"), undefined);
  assert.equal(parseScore("It is good."), undefined);
});
