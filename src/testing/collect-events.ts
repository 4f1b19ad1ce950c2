import type { ChatResult, StreamEvent } from "../core/types.ts";

export type DeltaEvent = Extract<StreamEvent, { type: "delta" }>;

/** Drains a stream: every delta event as it came (all choices, with tool-call fragments and logprobs) and the final result. */
export async function collectEvents(
  events: AsyncIterable<StreamEvent>,
): Promise<{ deltas: DeltaEvent[]; result: ChatResult }> {
  const deltas: DeltaEvent[] = [];
  let result: ChatResult | undefined;
  for await (const e of events) {
    if (e.type === "delta") deltas.push(e);
    if (e.type === "result") result = e.result;
  }
  if (!result) throw new Error("the stream ended without a result");
  return { deltas, result };
}
