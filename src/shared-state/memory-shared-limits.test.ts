import { memorySharedLimits } from "./memory-shared-limits.ts";
import { sharedLimitsContract } from "./shared-limits.contract.ts";

sharedLimitsContract("memory", async () => {
  const limits = memorySharedLimits();
  return { limits, close: () => limits.close() };
});
