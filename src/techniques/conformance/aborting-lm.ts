import { estimatePromptTokens } from "../../accounting/estimate-tokens.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import type { ChatRequest, Choice, LM } from "../../core/types.ts";
import { defineProvider } from "../../providers/define-provider.ts";
import type { ProviderDriver } from "../../providers/provider-driver.ts";
import { sleep } from "../../providers/resilience/retry.ts";
import type { ScriptedReply } from "../../providers/scripted/scripted-lm.ts";

/**
 * A model that aborts its own run at a fixed point, for the conformance suite: `during` fires the
 * abort as the first upstream call starts (that call then fails like a real one would), `after`
 * fires it as the first call returns. It counts calls that go out once the abort has fired (a call
 * under the run's aborted signal is refused at once, as fetch would), which a technique honouring
 * aborts never makes. Other calls take `latencyMs`, so concurrent calls overlap.
 */
export function abortingLM(options: {
  script: (request: ChatRequest) => ScriptedReply;
  controller: AbortController;
  when: "during" | "after";
  latencyMs?: number;
}): LM & { calls: ChatRequest[]; startedAfterAbort(): number } {
  const { script, controller, when, latencyMs = 5 } = options;
  const calls: ChatRequest[] = [];
  let afterAbort = 0;
  const driver: ProviderDriver = {
    provider: "scripted",
    model: "aborting",
    capabilities: { nativeN: true, logprobs: false, tools: true, streaming: false, constrainedOutput: false },
    async complete(request, o) {
      // Like fetch, an already-aborted call never reaches the network; one with a live signal does.
      if (o.signal.aborted) throw new AbortedError();
      const first = calls.length === 0;
      if (controller.signal.aborted) afterAbort++;
      calls.push(request);
      if (first && when === "during") controller.abort();
      await sleep(latencyMs, o.signal);
      const choices: Choice[] = Array.from({ length: request.n ?? 1 }, (_, index) => ({
        index,
        message: { role: "assistant", content: script(request).content ?? null },
        finish_reason: "stop",
      }));
      if (first && when === "after") controller.abort();
      return {
        choices,
        usage: { prompt_tokens: estimatePromptTokens(request), completion_tokens: 10 * choices.length },
      };
    },
  };
  return Object.assign(defineProvider(driver, { limiter: 64, retry: { retries: 0 } }), {
    calls,
    startedAfterAbort: () => afterAbort,
  });
}
