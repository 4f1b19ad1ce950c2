import { randomUUID } from "node:crypto";
import type { Usage } from "../core/types.ts";
import { addUsage, emptyUsage } from "../accounting/usage.ts";

export type SpanKind = "run" | "technique" | "lm" | "tool" | "step";

export interface SpanEvent {
  name: string;
  time: number;
  data: Record<string, unknown>;
}

/**
 * One node of a trace tree. LM calls record their usage on their own span; every ancestor's
 * `total` grows with it, so any subtree's figures are always the sum of its calls.
 */
export class Span {
  readonly id: string;
  readonly traceId: string;
  readonly name: string;
  readonly kind: SpanKind;
  readonly parent?: Span;
  readonly children: Span[] = [];
  readonly attributes: Record<string, unknown>;
  readonly events: SpanEvent[] = [];
  /** Usage recorded on this span itself (LM spans). */
  readonly own: Usage = emptyUsage();
  /** Usage of this span and all its descendants. */
  readonly total: Usage = emptyUsage();
  readonly start: number;
  end?: number;
  status: "ok" | "error" = "ok";
  error?: string;

  constructor(options: { name: string; kind: SpanKind; parent?: Span; attributes?: Record<string, unknown> }) {
    this.id = randomUUID();
    this.name = options.name;
    this.kind = options.kind;
    this.parent = options.parent;
    this.traceId = options.parent?.traceId ?? this.id;
    this.attributes = { ...options.attributes };
    this.start = Date.now();
    options.parent?.children.push(this);
  }

  child(name: string, kind: SpanKind, attributes?: Record<string, unknown>): Span {
    return new Span({ name, kind, parent: this, attributes });
  }

  record(usage: Partial<Usage>): void {
    addUsage(this.own, usage);
    for (let s: Span | undefined = this; s; s = s.parent) addUsage(s.total, usage);
  }

  set(attributes: Record<string, unknown>): this {
    Object.assign(this.attributes, attributes);
    return this;
  }

  event(name: string, data: Record<string, unknown> = {}): void {
    this.events.push({ name, time: Date.now(), data });
  }

  fail(error: unknown): void {
    this.status = "error";
    this.error = error instanceof Error ? error.message : String(error);
    this.finish();
  }

  finish(): void {
    this.end ??= Date.now();
  }

  get durationMs(): number {
    return (this.end ?? Date.now()) - this.start;
  }

  /** A plain JSON tree (for the trace viewer, `lmx trace` and exporters). */
  toJSON(): SpanJSON {
    return {
      id: this.id,
      trace_id: this.traceId,
      name: this.name,
      kind: this.kind,
      start: this.start,
      end: this.end,
      duration_ms: this.durationMs,
      status: this.status,
      error: this.error,
      attributes: this.attributes,
      events: this.events,
      usage: { ...this.own },
      total: { ...this.total },
      children: this.children.map((c) => c.toJSON()),
    };
  }
}

export interface SpanJSON {
  id: string;
  trace_id: string;
  name: string;
  kind: SpanKind;
  start: number;
  end?: number;
  duration_ms: number;
  status: "ok" | "error";
  error?: string;
  attributes: Record<string, unknown>;
  events: SpanEvent[];
  usage: Usage;
  total: Usage;
  children: SpanJSON[];
}
