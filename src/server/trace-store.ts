import type { Usage } from "../core/types.ts";
import type { Span, SpanJSON } from "../trace/span.ts";

/** One finished request as the trace viewer lists it. */
export interface TraceSummary {
  id: string;
  /** The `model` string the client sent (or the default it resolved to). */
  model: string;
  /** The LM that ran, as a spec. */
  lm?: string;
  /** `aborted`: the client went away; `budget`: a budget stopped the run (with its best answer so far). */
  status: TraceStatus;
  error?: string;
  stream: boolean;
  start: number;
  duration_ms: number;
  usage: Usage;
}

export type TraceStatus = "ok" | "error" | "aborted" | "budget";

/** A finished request's trace: its root span, how it ended (`outcome`, unless it failed with `error`). */
export interface TraceEntry {
  span: Span;
  model: string;
  lm?: string;
  stream: boolean;
  error?: string;
  outcome?: "aborted" | "budget";
}

/** The status a trace is listed with: an error first, then how the run ended, else the span's own. */
export function traceStatus(entry: Pick<TraceEntry, "span" | "error" | "outcome">): TraceStatus {
  return entry.error ? "error" : (entry.outcome ?? entry.span.status);
}

export interface StoredTrace extends TraceSummary {
  root: SpanJSON;
}

/**
 * Where the proxy leaves finished traces; a later `/ui` lists and opens them. Async, since a store may
 * be a database (see openStores): memory, SQLite and PostgreSQL implementations.
 */
export interface TraceStore {
  add(entry: TraceEntry): Promise<void>;
  get(id: string): Promise<StoredTrace | undefined>;
  /** Newest first. */
  list(options?: { limit?: number }): Promise<TraceSummary[]>;
}

/**
 * A bounded in-memory ring of the last `capacity` traces. Spans are kept as objects and turned
 * into JSON only when asked for, so the request path pays nothing for it.
 */
export function memoryTraceStore(options: { capacity?: number } = {}): TraceStore {
  const capacity = options.capacity ?? 200;
  const ring: ({ summary: TraceSummary; span: Span } | undefined)[] = new Array(capacity);
  const byId = new Map<string, number>();
  let next = 0;

  return {
    async add(entry) {
      const { span, model, lm, stream, error } = entry;
      const old = ring[next];
      if (old) byId.delete(old.summary.id);
      span.finish();
      const summary: TraceSummary = {
        id: span.traceId,
        model,
        lm,
        status: traceStatus(entry),
        error,
        stream,
        start: span.start,
        duration_ms: span.durationMs,
        usage: { ...span.total },
      };
      ring[next] = { summary, span };
      byId.set(summary.id, next);
      next = (next + 1) % capacity;
    },
    async get(id) {
      const slot = byId.get(id);
      const entry = slot === undefined ? undefined : ring[slot];
      return entry ? { ...entry.summary, root: entry.span.toJSON() } : undefined;
    },
    async list({ limit = capacity } = {}) {
      const out: TraceSummary[] = [];
      for (let k = 1; k <= capacity && out.length < limit; k++) {
        const entry = ring[(next - k + capacity) % capacity];
        if (entry) out.push(entry.summary);
      }
      return out;
    },
  };
}
