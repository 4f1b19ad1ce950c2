/**
 * Where an upstream call waits for its turn: a concurrency slot, and with shared limits a slot across
 * instances and room in per-minute request and token windows. `cost` is the call's token estimate;
 * the release gets what it really spent, so a token window counts the truth. A `Limiter` is one.
 */
export interface CallSlots {
  acquire(signal?: AbortSignal, cost?: { tokens: number }): Promise<(spent?: { tokens: number }) => void>;
}
