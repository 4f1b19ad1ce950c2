import type { CallSlots } from "../providers/resilience/call-slots.ts";
import type { SharedLimits } from "./shared-limits.ts";

export interface SharedCallSlotsOptions {
  /** This process's own slots (the endpoint's `concurrency`), taken first. */
  local: CallSlots;
  limits: SharedLimits;
  /** The endpoint's name: instances sharing the limits count its calls together. */
  scope: string;
  /** Calls at once across every instance sharing `limits`. */
  concurrency?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/**
 * An endpoint's call slots under limits shared by instances: this process's slot, then a slot of
 * `concurrency` across instances, then room for one request and its token estimate in the minute
 * windows. The release gives the slots back and corrects the token window to what was spent.
 */
export function sharedCallSlots(options: SharedCallSlotsOptions): CallSlots {
  const { limits, scope } = options;
  return {
    async acquire(signal, cost) {
      const releases: (() => void)[] = [];
      const releaseAll = () => releases.reverse().forEach((r) => r());
      try {
        releases.push(await options.local.acquire(signal));
        if (options.concurrency) releases.push(await limits.slot(`${scope}:calls`, options.concurrency, signal));
        if (options.requestsPerMinute) await limits.take(`${scope}:rpm`, 1, options.requestsPerMinute, signal);
        const estimate = Math.max(0, Math.ceil(cost?.tokens ?? 0));
        if (options.tokensPerMinute) await limits.take(`${scope}:tpm`, estimate, options.tokensPerMinute, signal);
        let released = false;
        return (spent) => {
          if (released) return;
          released = true;
          releaseAll();
          if (options.tokensPerMinute && spent)
            void limits.adjust(`${scope}:tpm`, Math.ceil(spent.tokens) - estimate).catch(() => {});
        };
      } catch (error) {
        releaseAll();
        throw error;
      }
    },
  };
}
