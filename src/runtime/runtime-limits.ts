import type { BudgetLimits } from "../budget/budget.ts";
import type { LmxConfig } from "../config/config-schema.ts";
import type { SandboxPoolOptions } from "../sandbox/sandbox-pool.ts";
import { traceStoreLimits, type TraceStoreLimits } from "../store/trace-store/trace-store-limits.ts";

/**
 * The bounds an operator sets in the config, in the units the code takes. Unset fields keep the
 * defaults of whatever they bound (the trace store's, the sandbox pool's); the request limits of
 * `lmx serve` are the server's settings (`server.limits`).
 */
export interface RuntimeLimits {
  /** The default budget of one `lmx ask` run (config `budget`); flags override it. */
  readonly budget: BudgetLimits;
  /** How much the trace store keeps (config `traces`). */
  readonly traces: TraceStoreLimits;
  /**
   * The sandbox pool's bounds (config `sandbox`). The pool is the process's: the CLI applies these
   * with configureSandboxPool at start; a program hosting several runtimes applies the one it wants.
   */
  readonly sandbox: SandboxPoolOptions;
}

export function runtimeLimits(config: Pick<LmxConfig, "budget" | "traces" | "sandbox">): RuntimeLimits {
  const sandbox = config.sandbox ?? {};
  return {
    budget: { ...config.budget },
    traces: traceStoreLimits(config.traces),
    sandbox: definedOnly({
      maxConcurrent: sandbox.maxConcurrent,
      maxQueued: sandbox.maxQueued,
      maxMemoryBytes: sandbox.maxMemoryMb === undefined ? undefined : sandbox.maxMemoryMb * 1024 * 1024,
    }),
  };
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
