import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import type { Span } from "../../trace/span.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { cascade } from "./cascade.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "What is 17 * 3?" }] };
const isVerify = (r: ChatRequest) => lastUserText(r).includes("AI-generated answer: ");
const steps = (root: Span) => root.children[0]!.events.filter((e) => e.name === "step").map((e) => e.data);

/** A model that answers `answer` and, asked to verify, says "Correct" in `correct` of its verdict samples. */
function rung(name: string, answer: string | ((sample: number) => string), correct = 0) {
  return scriptedLM(
    (r, { sampleIndex }) => {
      if (!isVerify(r)) return typeof answer === "string" ? answer : answer(sampleIndex);
      return sampleIndex < correct
        ? "I recomputed it.\nVerdict: Correct"
        : "That product is wrong.\nVerdict: Incorrect";
    },
    { name },
  );
}

test("self: a verified cheap answer is returned without escalating", async () => {
  const cheap = rung("cheap", "17 * 3 = 51. The answer is 51.", 3);
  const big = rung("big", "The answer is 51.");
  const ctx = createRunContext();
  const r = await cascade(cheap, { models: [big] }).complete(ask, ctx);
  assert.equal(resultText(r), "17 * 3 = 51. The answer is 51.");
  assert.equal(big.calls.length, 0, "the expensive model is never called");
  assert.equal(cheap.calls.length, 2, "one answer, one verification request");
  const verify = cheap.calls[1]!;
  assert.equal(verify.n, 3, "the verdicts are sampled in one request");
  assert.equal(verify.temperature, 1);
  assert.ok(
    lastUserText(verify).includes("Question: What is 17 * 3?\nAI-generated answer: 17 * 3 = 51. The answer is 51."),
  );
  assert.deepEqual(steps(ctx.span), [
    {
      step: 1,
      model: "scripted:cheap",
      confidence: 1,
      threshold: 0.7,
      decision: "accept",
      verdicts: [true, true, true],
    },
  ]);
  assert.equal(r.usage.calls, 2);
});

test("self: failed verification escalates, and the next rung's verified answer stops the climb", async () => {
  const cheap = rung("cheap", "The answer is 41.", 1);
  const mid = rung("mid", "The answer is 51.", 3);
  const big = rung("big", "The answer is 51!");
  const ctx = createRunContext();
  const r = await cascade(cheap, { models: [mid, big] }).complete(ask, ctx);
  assert.equal(resultText(r), "The answer is 51.");
  assert.equal(big.calls.length, 0);
  const decisions = steps(ctx.span).map((s) => [s.model, Math.round((s.confidence as number) * 100), s.decision]);
  assert.deepEqual(decisions, [
    ["scripted:cheap", 33, "escalate"],
    ["scripted:mid", 100, "accept"],
  ]);
});

test("self: the threshold decides (2 of 3 is below 0.7 but not below 0.6)", async () => {
  const make = () => [rung("cheap", "The answer is 51.", 2), rung("big", "The answer is 52.")] as const;
  const [a, bigA] = make();
  assert.equal(resultText(await cascade(a, { models: [bigA] }).complete(ask)), "The answer is 52.");
  const [b, bigB] = make();
  assert.equal(resultText(await cascade(b, { models: [bigB], threshold: 0.6 }).complete(ask)), "The answer is 51.");
  assert.equal(bigB.calls.length, 0);
});

test("self: when every rung fails, the last model answers once, unverified", async () => {
  const cheap = rung("cheap", "The answer is 40.", 0);
  const mid = rung("mid", "The answer is 50.", 0);
  const big = rung("big", "The answer is 51.", 0);
  const ctx = createRunContext();
  const r = await cascade(cheap, { models: [mid, big] }).complete(ask, ctx);
  assert.equal(resultText(r), "The answer is 51.");
  assert.equal(big.calls.length, 1);
  assert.ok(!big.calls.some(isVerify));
  assert.deepEqual(
    steps(ctx.span).map((s) => s.decision),
    ["escalate", "escalate", "final"],
  );
  assert.equal(r.usage.calls, 5);
});

test("agreement: a split vote escalates; a clear majority is accepted with a full response of the winning group", async () => {
  const split = rung("cheap", (k) => `Hmm, the answer is ${[50, 51, 52][k % 3]}.`);
  const big = rung("big", "Carefully: the answer is 51.");
  const ctx = createRunContext();
  const r = await cascade(split, { models: [big], verify: "agreement" }).complete(ask, ctx);
  assert.equal(resultText(r), "Carefully: the answer is 51.");
  assert.equal(split.calls.length, 1);
  assert.equal(split.calls[0]!.n, 3, "the agreement samples are one request");
  const first = steps(ctx.span)[0]!;
  assert.equal(first.decision, "escalate");
  assert.ok(Math.abs((first.confidence as number) - 1 / 3) < 1e-9);

  const agree = rung("cheap", (k) => (k === 1 ? "I think 50." : `Sample ${k}: 17 * 3 = 51, so the answer is 51.`));
  const big2 = rung("big", "The answer is 51.");
  const r2 = await cascade(agree, { models: [big2], verify: "agreement", samples: 5 }).complete(ask);
  assert.match(resultText(r2), /^Sample [0234]: 17 \* 3 = 51, so the answer is 51\.$/);
  assert.equal(big2.calls.length, 0);
  assert.equal(agree.calls[0]!.n, 5);
});

test("an abort after a failed verification stops the climb and returns the cheap answer", async () => {
  const controller = new AbortController();
  const cheap = scriptedLM((r) => {
    if (!isVerify(r)) return "The answer is 41.";
    controller.abort();
    return "Verdict: Incorrect";
  });
  const big = rung("big", "The answer is 51.");
  const r = await cascade(cheap, { models: [big] }).complete(ask, createRunContext({ signal: controller.signal }));
  assert.equal(r.choices[0]!.finish_reason, "aborted");
  assert.equal(resultText(r), "The answer is 41.");
  assert.equal(big.calls.length, 0);
});

test("a budget stop while escalating returns the cheap answer with finish_reason budget", async () => {
  const cheap = rung("cheap", "The answer is 41.", 0);
  const big = rung("big", "The answer is 51.");
  const r = await cascade(cheap, { models: [big] }).complete(ask, createRunContext({ budget: { calls: 2 } }));
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(resultText(r), "The answer is 41.");
  assert.equal(big.calls.length, 0);
});

test("verdicts or samples a budget cut count against: one 'Correct' verdict of three asked is no acceptance", async () => {
  // One call per sample: the budget pays for the answer and one verdict only.
  const cheap = scriptedLM((r) => (isVerify(r) ? "Verdict: Correct" : "The answer is 41."), {
    capabilities: { nativeN: false },
  });
  const big = rung("big", "The answer is 51.");
  const ctx = createRunContext({ budget: { calls: 2 } });
  const r = await cascade(cheap, { models: [big] }).complete(ask, ctx);
  assert.equal(cheap.calls.length, 2);
  assert.ok(Math.abs((steps(ctx.span)[0]!.confidence as number) - 1 / 3) < 1e-9);
  assert.equal(steps(ctx.span)[0]!.decision, "escalate");
  assert.equal(resultText(r), "The answer is 41.");
  assert.equal(r.choices[0]!.finish_reason, "budget", "the escalation the budget refused is reported");
  const split = scriptedLM((_r, { sampleIndex }) => `The answer is ${sampleIndex}.`, {
    capabilities: { nativeN: false },
  });
  const ctx2 = createRunContext({ budget: { calls: 1 } });
  const r2 = await cascade(split, { models: [big], verify: "agreement" }).complete(ask, ctx2);
  assert.ok(
    Math.abs((steps(ctx2.span)[0]!.confidence as number) - 1 / 3) < 1e-9,
    "one sample of three is a third of the votes",
  );
  assert.equal(r2.choices[0]!.finish_reason, "budget");
});

test("streaming: the last model's answer is streamed; an accepted answer arrives whole", async () => {
  const cheap = rung("cheap", "The answer is 41.", 0);
  const big = rung("big", "Seventeen times three is fifty-one.");
  const escalated = await collectStream(cascade(cheap, { models: [big] }).stream(ask));
  assert.ok(escalated.deltas.length > 1);
  assert.equal(escalated.text, "Seventeen times three is fifty-one.");
  assert.equal(escalated.result.usage.calls, 3);

  const good = rung("cheap", "The answer is 51.", 3);
  const accepted = await collectStream(cascade(good, { models: [big] }).stream(ask));
  assert.equal(accepted.text, "The answer is 51.");
  assert.equal(resultText(accepted.result), "The answer is 51.");
  assert.equal(accepted.result.choices[0]!.finish_reason, "stop");
});

test("the caller's request reaches the answers; the verifier keeps the conversation", async () => {
  const request: ChatRequest = {
    messages: [
      { role: "system", content: "Context: the shop sells 17 boxes of 3." },
      { role: "user", content: "How many items?" },
    ],
    max_tokens: 30,
    temperature: 0,
  };
  const cheap = rung("cheap", "51 items.", 3);
  await cascade(cheap, { models: [rung("big", "x")] }).complete(request);
  assert.deepEqual([cheap.calls[0]!.max_tokens, cheap.calls[0]!.temperature], [30, 0]);
  assert.equal(cheap.calls[1]!.messages[0]!.content, "Context: the shop sells 17 boxes of 3.");
  assert.equal(cheap.calls[1]!.max_tokens, undefined, "the verdict is not cut by the answer's max_tokens");
});

test("options are validated; with no ladder the inner LM just answers", async () => {
  const lm = rung("cheap", "The answer is 51.");
  assert.throws(
    () => cascade(lm, { threshold: 1.5 }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "threshold",
  );
  assert.throws(
    () => cascade(lm, { verify: "vibes" as "self" }),
    (e) => InvalidRequestError.isInstance(e),
  );
  assert.throws(
    () => cascade(lm, { answer: "colour" }),
    (e) => InvalidRequestError.isInstance(e) && /valid kinds/.test(e.message),
  );
  assert.throws(
    () => cascade(lm, { prompt: "Is it right?" }),
    (e) => InvalidRequestError.isInstance(e),
  );
  const r = await cascade(lm).complete(ask);
  assert.equal(resultText(r), "The answer is 51.");
  assert.equal(lm.calls.length, 1);
});

test("agreement samples are not greedy: temperature 0 requests sample at 0.7, an explicit temperature wins", async () => {
  const small = scriptedLM(() => "The answer is 4.");
  await cascade(small, { models: [scriptedLM(() => "The answer is 4.")], verify: "agreement" }).complete({
    ...ask,
    temperature: 0,
  });
  assert.equal(small.calls[0]!.temperature, 0.7);
  const small2 = scriptedLM(() => "The answer is 4.");
  await cascade(small2, {
    models: [scriptedLM(() => "The answer is 4.")],
    verify: "agreement",
    temperature: 1.2,
  }).complete({ ...ask, temperature: 0 });
  assert.equal(small2.calls[0]!.temperature, 1.2);
  const small3 = scriptedLM(() => "The answer is 4.");
  await cascade(small3, { models: [scriptedLM(() => "The answer is 4.")], verify: "agreement" }).complete({
    ...ask,
    temperature: 0.4,
  });
  assert.equal(small3.calls[0]!.temperature, 0.4, "the request's own non-zero temperature is kept");
});

test("agreement in batches: the second sample's disagreement escalates a unanimity threshold at once", async () => {
  const cheap = rung("cheap", (k) => `The answer is ${k === 1 ? 50 : 51}.`);
  const big = rung("big", "Carefully: the answer is 51.");
  const ctx = createRunContext();
  const r = await cascade(cheap, { models: [big], verify: "agreement", samples: 10, threshold: 1, batch: 2 }).complete(
    ask,
    ctx,
  );
  assert.equal(resultText(r), "Carefully: the answer is 51.");
  assert.deepEqual(
    cheap.calls.map((c) => c.n),
    [2],
    "2 samples of 10 drawn",
  );
  const first = steps(ctx.span)[0]!;
  assert.deepEqual([first.decision, first.drawn, first.planned], ["escalate", 2, 10]);
});

test("agreement in batches accepts once the leader must keep the threshold, with the all-samples decision", async () => {
  // Unanimous cheap model, threshold 0.6 of 10: six agreeing samples make acceptance certain.
  const cheap = rung("cheap", (k) => `Sample ${k}: the answer is 51.`);
  const big = rung("big", "The answer is 51.");
  const ctx = createRunContext();
  const r = await cascade(cheap, {
    models: [big],
    verify: "agreement",
    samples: 10,
    threshold: 0.6,
    batch: 3,
  }).complete(ask, ctx);
  assert.match(resultText(r), /answer is 51/);
  assert.equal(big.calls.length, 0);
  assert.deepEqual(
    cheap.calls.map((c) => c.n),
    [3, 3],
    "two batches: 6 of 10 samples",
  );
  const first = steps(ctx.span)[0]!;
  assert.deepEqual([first.decision, first.drawn, first.confidence], ["accept", 6, 0.6]);

  // Same sequences decided with every sample in one request give the same decisions.
  for (const [answers, threshold] of [
    [[51, 50, 51, 51, 51, 52, 51, 51, 51, 51], 0.7],
    [[51, 50, 52, 51, 50, 52, 51, 50, 52, 51], 0.5],
    [[51, 51, 51, 51, 51, 51, 51, 50, 50, 50], 0.7],
  ] as const) {
    const decide = async (batch: number | undefined) => {
      const c = createRunContext();
      const lm = rung("cheap", (k) => `The answer is ${answers[k % 10]}.`);
      await cascade(lm, {
        models: [rung("big", "The answer is 1.")],
        verify: "agreement",
        samples: 10,
        threshold,
        ...(batch ? { batch } : {}),
      }).complete(ask, c);
      return { decision: steps(c.span)[0]!.decision, drawn: steps(c.span)[0]!.drawn as number };
    };
    const [all, batched] = [await decide(undefined), await decide(2)];
    assert.equal(batched.decision, all.decision, `${answers} at ${threshold}`);
    assert.equal(all.drawn, 10);
  }
});
