import assert from "node:assert/strict";
import { test } from "node:test";
import { addUsage, emptyUsage } from "../../accounting/usage.ts";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { resultText } from "../../core/messages.ts";
import type { RunContext } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import type { Span } from "../../trace/span.ts";
import { adaptiveConsistency } from "./adaptive-consistency.ts";

const ask = { messages: [{ role: "user" as const, content: "What is 6 * 7?" }] };

/** A scripted LM answering from `answers` by sample index, recording every index it served. */
function bank(answers: (i: number) => string, options: { nativeN?: boolean; latencyMs?: number } = {}) {
  const served: number[] = [];
  const lm = scriptedLM(
    (_r, { sampleIndex }) => {
      served.push(sampleIndex);
      return `Reasoning for sample ${sampleIndex}.\nThe answer is ${answers(sampleIndex)}.`;
    },
    { capabilities: { nativeN: options.nativeN ?? true }, latencyMs: options.latencyMs },
  );
  return Object.assign(lm, { served });
}

function techniqueSpan(ctx: RunContext): Span {
  return ctx.span.children.find((s) => s.kind === "technique")!;
}

function votes(ctx: RunContext) {
  return techniqueSpan(ctx)
    .events.filter((e) => e.name === "vote")
    .map((e) => e.data);
}

test("unanimous samples stop as soon as the Beta criterion holds: 4 samples at the defaults", async () => {
  const lm = bank(() => "42");
  const ctx = createRunContext();
  const result = await adaptiveConsistency(lm).complete(ask, ctx);
  // P(p > 1/2) for p ~ Beta(4, 1) is 1 - 2^-4 = 0.9375 < 0.95 after 3 votes; Beta(5, 1) gives 0.96875.
  assert.deepEqual(lm.served, [0, 1, 2, 3]);
  assert.deepEqual(
    lm.calls.map((c) => c.n),
    [3, 1],
    "min samples in one request, then batches of one",
  );
  assert.match(resultText(result), /The answer is 42/);
  const v = votes(ctx);
  assert.equal(v.length, 2);
  assert.ok(Math.abs((v[0]!.confidence as number) - 0.9375) < 1e-9);
  assert.equal(v[0]!.stop, false);
  assert.equal(v[1]!.stop, true);
  assert.equal(v[1]!.reason, "settled");
});

test("stops right after min when min samples already settle it, and never before min", async () => {
  const early = bank(() => "42");
  await adaptiveConsistency(early, { min: 4 }).complete(ask);
  assert.deepEqual(early.served, [0, 1, 2, 3]);
  assert.equal(early.calls.length, 1);
  const late = bank(() => "42");
  await adaptiveConsistency(late, { min: 7, max: 9 }).complete(ask);
  assert.equal(late.served.length, 7);
});

test("keeps sampling while the vote is split, never beyond max, never repeating a sample", async () => {
  const lm = bank((i) => (i % 2 === 0 ? "42" : "24"));
  const ctx = createRunContext();
  const result = await adaptiveConsistency(lm, { max: 10 }).complete(ask, { ...ctx, sampleOffset: 100 });
  assert.deepEqual(lm.served, [100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
  assert.match(resultText(result), /sample 100\.[\s\S]*42/, "a 5–5 tie goes to the answer seen first");
  assert.equal(votes(ctx).at(-1)!.reason, "max");
});

test("a leader that emerges is detected exactly when P(leader ahead) reaches the threshold", async () => {
  // One dissent at sample 1, then agreement: after k votes for 42 and 1 against, the confidence is
  // P(Bin(k + 2, 1/2) <= k): 0.6875, 0.8125, 0.890625, 0.9375, 0.96484375 for k = 2..6.
  const lm = bank((i) => (i === 1 ? "24" : "42"));
  const ctx = createRunContext();
  await adaptiveConsistency(lm).complete(ask, ctx);
  assert.equal(lm.served.length, 7);
  const figures = votes(ctx).map((v) => Math.round((v.confidence as number) * 1e6) / 1e6);
  assert.deepEqual(figures, [0.6875, 0.8125, 0.890625, 0.9375, 0.964844]);
});

test("batch size sets the later batches, each at a fresh sample offset", async () => {
  // A vote split five ways never settles nor decides early.
  const lm = bank((i) => String(i % 5));
  await adaptiveConsistency(lm, { batch: 3, max: 10 }).complete(ask);
  assert.deepEqual(
    lm.calls.map((c) => c.n),
    [3, 3, 3, 1],
  );
  assert.deepEqual(lm.served, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("stops once no sample up to max could change the winner, whatever the criterion", async () => {
  // threshold 0.999 never settles on 1 against 0; after 7 of 10 the leader has 6, the runner-up 1: 6 > 1 + 3.
  const answers = ["1", "0", "1", "1", "1", "1", "1", "0", "0", "0"];
  const lm = bank((i) => answers[i]!);
  const ctx = createRunContext();
  const result = await adaptiveConsistency(lm, { threshold: 0.999, max: 10, min: 1 }).complete(ask, ctx);
  assert.equal(lm.served.length, 7);
  assert.match(resultText(result), /answer is 1/);
  assert.equal(votes(ctx).at(-1)!.reason, "decided");
});

test("window criterion (ESC) stops when `window` consecutive samples agree", async () => {
  const answers = ["1", "2", "3", "3", "2", "2", "2", "9", "9", "9"];
  const lm = bank((i) => answers[i]!);
  const ctx = createRunContext();
  const result = await adaptiveConsistency(lm, { criterion: "window", window: 3, min: 1 }).complete(ask, ctx);
  assert.equal(lm.served.length, 7, "samples 4, 5, 6 are the first three in a row to agree");
  assert.match(resultText(result), /answer is 2/);
  assert.equal(votes(ctx).at(-1)!.streak, 3);
});

test("dirichlet criterion: unanimity must beat an unseen answer; a split vote never settles", async () => {
  const unanimous = bank(() => "42");
  await adaptiveConsistency(unanimous, { criterion: "dirichlet", min: 1 }).complete(ask);
  // With one seen answer the posterior is Dirichlet(k + 1, 1): P = 1 - 2^-(k+1), first >= 0.95 at k = 4.
  assert.equal(unanimous.served.length, 4);
  const split = bank((i) => String(i % 3));
  await adaptiveConsistency(split, { criterion: "dirichlet", max: 8 }).complete(ask);
  assert.equal(split.served.length, 8);
});

test("the first batch's samples are concurrent calls when the provider has no native n", async () => {
  let inFlight = 0;
  let most = 0;
  const lm = scriptedLM(
    async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return "The answer is 5.";
    },
    { capabilities: { nativeN: false } },
  );
  await adaptiveConsistency(lm, { min: 4 }).complete(ask);
  assert.equal(most, 4);
});

test("a budget stop between batches returns the best answer so far with finish_reason budget", async () => {
  const answers = ["7", "9", "9", "7", "9", "7"];
  const lm = bank((i) => answers[i]!);
  const ctx = createRunContext({ budget: { calls: 3 } });
  const result = await adaptiveConsistency(lm).complete(ask, ctx);
  assert.deepEqual(lm.served, [0, 1, 2, 3, 4], "three calls: n=3, then two single samples");
  assert.equal(result.choices[0]!.finish_reason, "budget");
  assert.match(resultText(result), /sample 1\.[\s\S]*answer is 9/, "9 leads 3–2; its first member represents it");
  assert.equal(result.usage.calls, 3);
});

test("a budget stop inside a batch votes over the samples that came back", async () => {
  const lm = bank((i) => (i === 0 ? "7" : "9"), { nativeN: false });
  const ctx = createRunContext({ budget: { calls: 2 } });
  const result = await adaptiveConsistency(lm).complete(ask, ctx);
  assert.equal(lm.served.length, 2);
  assert.equal(result.choices[0]!.finish_reason, "budget");
  assert.equal(votes(ctx).at(-1)!.reason, "budget");
});

test("usage equals the sum over the internal calls", async () => {
  const lm = bank((i) => (i === 1 ? "24" : "42"), { nativeN: false });
  const ctx = createRunContext();
  const result = await adaptiveConsistency(lm).complete(ask, ctx);
  const lmSpans = (s: Span): Span[] => s.children.flatMap((c) => (c.kind === "lm" ? [c] : lmSpans(c)));
  const spans = lmSpans(techniqueSpan(ctx));
  assert.equal(spans.length, 7);
  assert.deepEqual(
    result.usage,
    spans.reduce((u, s) => addUsage(u, s.own), emptyUsage()),
  );
});

test("options are validated", () => {
  const lm = bank(() => "1");
  assert.throws(
    () => adaptiveConsistency(lm, { min: 5, max: 4 }),
    (e) => InvalidRequestError.isInstance(e) && /min/.test(e.message),
  );
  assert.throws(() => adaptiveConsistency(lm, { threshold: 1 }), InvalidRequestError);
  assert.throws(() => adaptiveConsistency(lm, { criterion: "majority" as never }), InvalidRequestError);
  assert.throws(() => adaptiveConsistency(lm, { batch: 0 }), InvalidRequestError);
  assert.equal(
    adaptiveConsistency(lm, { criterion: "window" }).id,
    "adaptive-consistency(criterion=window)@scripted:test",
  );
});
