import { z } from "zod";
import { hostResource } from "../spec/option-trust.ts";

/**
 * The sandbox limits of a technique that runs model-written programs (`program-aided`, `codet`):
 * host resources a client may only lower, since raising them spends the server's time and memory.
 */
export function programLimitOptions(timeoutDescription: string) {
  return {
    timeout_ms: hostResource(z.int().min(10).max(120_000).default(2000).describe(timeoutDescription), {
      lowerOnly: true,
    }),
    memory_mb: hostResource(z.int().min(1).max(2048).default(32).describe("Memory limit of one program run."), {
      lowerOnly: true,
    }),
  };
}
