import { Budget, type BudgetLimits } from "../budget/budget.ts";
import { Span, type SpanKind } from "../trace/span.ts";
import type { RunContext } from "./types.ts";

/** A fresh top-level context: its own budget and a root trace span. */
export function createRunContext(
  options: {
    name?: string;
    budget?: Budget | BudgetLimits;
    signal?: AbortSignal;
    seed?: number;
    onProgress?: (data: Record<string, unknown>) => void;
  } = {},
): RunContext {
  const budget = options.budget instanceof Budget ? options.budget : new Budget(options.budget ?? {});
  return {
    budget,
    span: new Span({ name: options.name ?? "run", kind: "run" }),
    signal: options.signal,
    seed: options.seed,
    onProgress: options.onProgress,
  };
}

/** The same run, one level deeper in the trace. */
export function childContext(
  ctx: RunContext,
  name: string,
  kind: SpanKind = "step",
  attributes?: Record<string, unknown>,
): RunContext {
  return { ...ctx, span: ctx.span.child(name, kind, attributes) };
}
