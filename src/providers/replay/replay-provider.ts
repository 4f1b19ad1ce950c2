import { FREE } from "../../accounting/free.ts";
import { z } from "zod";
import { providerDefinition } from "../provider-definition.ts";

/** `replay:<bank.jsonl>`: recorded samples, free and offline. */
export const replayProvider = providerDefinition({
  name: "replay",
  description: "recorded samples from a *.bank.jsonl file (free, offline, reproducible)",
  example: "./cruxeval.bank.jsonl",
  capabilities: { nativeN: true, logprobs: false, tools: false, streaming: true, constrainedOutput: false },
  defaultConcurrency: 64,
  prices: FREE,
  settings: z.strictObject({ concurrency: z.number().int().min(1).optional() }),
  async create({ model, shared }) {
    const { replayLM } = await import("./replay-lm.ts");
    return replayLM({ bank: model, limiter: shared.limiter, prices: shared.prices, cache: shared.cache });
  },
});
