import { createHash } from "node:crypto";
import { contentText } from "../../core/messages.ts";
import type { Message, ToolCall } from "../../core/types.ts";

/** Exchanges kept at most by default (oldest dropped first). */
export const MAX_SAVED_EXCHANGES = 500;

/**
 * lmx's own tool calls and results that led up to a tool call returned to the caller. The caller
 * never sees them, so when it sends the conversation back (with its tool's result) they would be
 * lost and the model would have to redo them. They are kept here, in memory, keyed by the
 * conversation before the returned message and the returned call ids, and put back by `restore`.
 * The key includes the whole conversation, so another conversation that happens to reuse a call id
 * never receives them. One per runtime (`RunHost.toolExchanges`): two servers never share them.
 */
export class ToolExchanges {
  readonly #saved = new Map<string, Message[]>();
  readonly #max: number;

  constructor(options: { max?: number } = {}) {
    this.#max = Math.max(0, options.max ?? MAX_SAVED_EXCHANGES);
  }

  get size(): number {
    return this.#saved.size;
  }

  save(options: {
    conversation: readonly Message[];
    returned: readonly ToolCall[];
    exchange: readonly Message[];
  }): void {
    const { conversation, returned, exchange } = options;
    if (exchange.length === 0) return;
    this.#saved.set(exchangeKey(conversation, returned), [...exchange]);
    while (this.#saved.size > this.#max) this.#saved.delete(this.#saved.keys().next().value!);
  }

  /** The conversation with the saved exchanges put back before each returned tool-call message. */
  restore(messages: readonly Message[]): Message[] {
    const out: Message[] = [];
    messages.forEach((m, i) => {
      if (m.role === "assistant" && m.tool_calls?.length) {
        const exchange = this.#saved.get(exchangeKey(messages.slice(0, i), m.tool_calls));
        if (exchange) out.push(...exchange);
      }
      out.push(m);
    });
    return out;
  }
}

function exchangeKey(conversation: readonly Message[], calls: readonly ToolCall[]): string {
  // Only what a client keeps when it echoes messages back: role, text, call ids and arguments.
  const canonical = conversation.map((m) => [
    m.role,
    contentText(m.content),
    m.tool_call_id ?? null,
    (m.tool_calls ?? []).map((c) => [c.id, c.function.name, c.function.arguments]),
  ]);
  return createHash("sha256")
    .update(JSON.stringify([canonical, calls.map((c) => c.id)]))
    .digest("hex");
}
