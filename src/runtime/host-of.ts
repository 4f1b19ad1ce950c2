import type { RunHost } from "../core/run-host.ts";
import type { RunContext } from "../core/types.ts";
import { createRunHost } from "./create-run-host.ts";

let bare: RunHost | undefined;

/**
 * The host a run's techniques and tools use: the context's (set by the runtime that runs or built
 * the LM), else a bare one for LMs used straight from the library: no config, no environment
 * (stores default to ~/.local/state/lmx), tool exchanges of its own.
 */
export function hostOf(ctx: Pick<RunContext, "host"> | undefined): RunHost {
  return ctx?.host ?? (bare ??= createRunHost({ config: { providers: {} }, env: {}, cwd: "." }));
}
