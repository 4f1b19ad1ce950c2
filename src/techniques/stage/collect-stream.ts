import { LmxError } from "../../core/errors/lmx-error.ts";
import type { ChatResult, StreamEvent } from "../../core/types.ts";

/** Drains a stream: the concatenated text of choice 0's deltas, the deltas, progress events and the final result. */
export async function collectStream(
  stream: AsyncIterable<StreamEvent>,
): Promise<{ text: string; deltas: string[]; progress: Record<string, unknown>[]; result: ChatResult }> {
  const deltas: string[] = [];
  const progress: Record<string, unknown>[] = [];
  for await (const event of stream) {
    if (event.type === "delta" && event.index === 0 && event.content) deltas.push(event.content);
    else if (event.type === "progress") progress.push(event.data);
    else if (event.type === "result") return { text: deltas.join(""), deltas, progress, result: event.result };
  }
  throw new LmxError("malformed_stream", "the stream ended without a result");
}
