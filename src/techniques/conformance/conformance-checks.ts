import assert from "node:assert/strict";
import { emptyUsage, addUsage } from "../../accounting/usage.ts";
import type { BudgetLimits } from "../../budget/budget.ts";
import { createRunContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult, RunContext, StreamEvent, Usage } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import type { Span } from "../../trace/span.ts";
import type { TechniqueFactory } from "../define-technique.ts";
import { abortingLM } from "./aborting-lm.ts";
import { conformanceQuestion, conformanceScript } from "./conformance-script.ts";

/** One property every technique must have; `run` throws an AssertionError when it does not. */
export interface ConformanceCheck {
  name: string;
  run(factory: TechniqueFactory): Promise<void>;
}

export const conformanceRequest: ChatRequest = {
  messages: [
    { role: "system", content: "You are a careful assistant." },
    { role: "user", content: conformanceQuestion },
  ],
};

/** The technique with default options over a fresh scripted LM, run once. */
async function runOnce(factory: TechniqueFactory, options: { limits?: BudgetLimits; nativeN?: boolean } = {}) {
  const { limits = {}, nativeN = true } = options;
  const base = scriptedLM(conformanceScript, { capabilities: { nativeN } });
  const ctx = createRunContext({ name: "conformance", budget: limits });
  const lm = factory(base);
  const outcome = await lm.complete(conformanceRequest, ctx).then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );
  return { base, ctx, lm, ...outcome };
}

function techniqueSpan(ctx: RunContext, name: string): Span {
  const spans = ctx.span.children.filter((s) => s.kind === "technique");
  assert.equal(spans.length, 1, `expected one technique span under the run, found ${spans.length}`);
  assert.equal(spans[0]!.name, name, "the technique span is named after the technique");
  return spans[0]!;
}

function descendants(span: Span): Span[] {
  return span.children.flatMap((c) => [c, ...descendants(c)]);
}

function rounded(usage: Usage): Usage {
  return { ...usage, cost_usd: Math.round(usage.cost_usd * 1e9) / 1e9 };
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const completes: ConformanceCheck = {
  name: "completes with default options and returns an answer",
  async run(factory) {
    const { result, error } = await runOnce(factory);
    if (error) throw error;
    assert.ok(result!.choices.length >= 1, "the result has a choice");
    const choice = result!.choices[0]!;
    assert.ok(resultText(result!).trim() || choice.message.tool_calls?.length, "the answer is not empty");
    assert.ok(
      !["budget", "aborted"].includes(choice.finish_reason),
      `finish_reason is ${choice.finish_reason} without any limit`,
    );
  },
};

const accounts: ConformanceCheck = {
  name: "usage equals the sum of its LM calls, and calls the upstream calls made",
  async run(factory) {
    const { base, ctx, result, error } = await runOnce(factory);
    if (error) throw error;
    const sum = emptyUsage();
    for (const span of descendants(techniqueSpan(ctx, factory.definition.name)))
      if (span.kind === "lm") addUsage(sum, span.own);
    assert.deepEqual(
      rounded(result!.usage),
      rounded(sum),
      "result usage = sum of the LM spans in the technique's trace",
    );
    assert.equal(result!.usage.calls, base.calls.length, "usage.calls = upstream calls the model saw");
    assert.ok(base.calls.length >= 1, "the technique called its model");
  },
};

const traces: ConformanceCheck = {
  name: "the trace is complete: one technique span holding every LM call",
  async run(factory) {
    const { ctx, base, error } = await runOnce(factory);
    if (error) throw error;
    const span = techniqueSpan(ctx, factory.definition.name);
    assert.equal(span.status, "ok");
    const all = descendants(ctx.span);
    const inside = new Set(descendants(span));
    const lmSpans = all.filter((s) => s.kind === "lm");
    assert.ok(lmSpans.length >= 1, "at least one LM span");
    for (const s of lmSpans) assert.ok(inside.has(s), `LM span ${s.name} is outside the technique span`);
    assert.equal(
      lmSpans.reduce((n, s) => n + s.own.calls, 0),
      base.calls.length,
      "every upstream call has an LM span",
    );
    for (const s of [span, ...inside]) assert.ok(s.end !== undefined, `span ${s.name} (${s.kind}) was never finished`);
  },
};

/**
 * Calls budgets of 1 and 2: never exceeded; a binding budget ends in finish_reason "budget" or a
 * BudgetExceededError. Both over a model answering `n` in one call and one that needs a call per
 * sample (there a budget cuts a batch short: the provider returns the samples it could afford).
 */
const respectsBudget: ConformanceCheck = {
  name: "a calls budget is never exceeded and a binding one is reported",
  async run(factory) {
    for (const nativeN of [true, false]) await checkBudgets(factory, nativeN);
  },
};

async function checkBudgets(factory: TechniqueFactory, nativeN: boolean): Promise<void> {
  const free = await runOnce(factory, { nativeN });
  if (free.error) throw free.error;
  const needed = free.base.calls.length;
  for (const calls of [1, 2]) {
    const { base, result, error } = await runOnce(factory, { limits: { calls }, nativeN });
    const budget = `budget of ${calls} call(s)${nativeN ? "" : " over a model with one call per sample"} (unlimited: ${needed})`;
    assert.ok(base.calls.length <= calls, `${budget}: ${base.calls.length} upstream calls were made`);
    if (error) {
      assert.ok(
        BudgetExceededError.isInstance(error),
        `${budget}: failed with ${String(error)} instead of a BudgetExceededError`,
      );
      assert.ok(needed > calls, `${budget}: failed although the budget was enough`);
      continue;
    }
    const reason = result!.choices[0]!.finish_reason;
    if (needed > calls) assert.equal(reason, "budget", `${budget}: the answer must say finish_reason "budget"`);
    else {
      assert.notEqual(reason, "budget", `${budget}: the budget was enough`);
      assert.equal(
        resultText(result!),
        resultText(free.result!),
        `${budget}: the budget was enough, yet the answer changed`,
      );
    }
    assert.ok(result!.usage.calls <= calls, `${budget}: usage says ${result!.usage.calls} calls`);
  }
}

/** Aborting while the first call is in flight, and right after it returns. */
const honoursAbort: ConformanceCheck = {
  name: 'an abort ends the run with AbortedError or finish_reason "aborted", and no call starts after it',
  async run(factory) {
    const free = await runOnce(factory);
    if (free.error) throw free.error;
    const needed = free.base.calls.length;
    for (const when of ["during", "after"] as const) {
      const controller = new AbortController();
      const base = abortingLM({ script: conformanceScript, controller, when });
      const ctx = createRunContext({ name: "conformance", signal: controller.signal });
      let result: ChatResult | undefined;
      try {
        result = await factory(base).complete(conformanceRequest, ctx);
      } catch (error) {
        assert.ok(
          AbortedError.isInstance(error),
          `abort ${when} the first call: failed with ${String(error)} instead of an AbortedError`,
        );
      }
      assert.ok(controller.signal.aborted, "the first call was made");
      assert.equal(base.startedAfterAbort(), 0, `abort ${when} the first call: upstream calls started after the abort`);
      if (!result) continue;
      const reason = result.choices[0]!.finish_reason;
      if (when === "during" || needed > 1)
        assert.equal(reason, "aborted", `abort ${when} the first call: the answer must say finish_reason "aborted"`);
    }
  },
};

const streams: ConformanceCheck = {
  name: "stream() yields deltas and one final result equal to complete()'s",
  async run(factory) {
    const free = await runOnce(factory);
    if (free.error) throw free.error;
    const base = scriptedLM(conformanceScript);
    const events = await collect(factory(base).stream(conformanceRequest, createRunContext({ name: "conformance" })));
    assert.ok(
      events.some((e) => e.type === "delta"),
      "at least one delta",
    );
    const results = events.filter((e) => e.type === "result");
    assert.equal(results.length, 1, "exactly one result event");
    assert.equal(events.at(-1)!.type, "result", "the result comes last");
    const result = (results[0] as Extract<StreamEvent, { type: "result" }>).result;
    assert.equal(resultText(result), resultText(free.result!), "stream and complete give the same answer");
    // A streaming client (the proxy's SSE) only sees the deltas, so they must spell the answer.
    const streamed = events.map((e) => (e.type === "delta" && e.index === 0 ? (e.content ?? "") : "")).join("");
    assert.equal(streamed, resultText(result), "the deltas add up to the result's text");
    assert.equal(result.usage.calls, base.calls.length, "the streamed result's usage counts the calls made");
  },
};

const answersN: ConformanceCheck = {
  name: "n=2 gives two choices",
  async run(factory) {
    const base = scriptedLM(conformanceScript);
    const result = await factory(base).complete(
      { ...conformanceRequest, n: 2 },
      createRunContext({ name: "conformance" }),
    );
    assert.deepEqual(
      result.choices.map((c) => c.index),
      [0, 1],
    );
    for (const c of result.choices)
      assert.ok(contentText(c.message.content).trim() || c.message.tool_calls?.length, "every choice has an answer");
    assert.equal(result.usage.calls, base.calls.length);
  },
};

/** Every check, in the order the suite reports them. */
export const conformanceChecks: ConformanceCheck[] = [
  completes,
  accounts,
  traces,
  respectsBudget,
  honoursAbort,
  streams,
  answersN,
];
