import type { ChatRequest } from "../../core/types.ts";
import type { SpanJSON } from "../span.ts";
import { otlpAttributes, type OtlpAttribute } from "./otlp-attributes.ts";

/** OTLP span kinds used here. */
const INTERNAL = 1;
const CLIENT = 3;

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  events: { timeUnixNano: string; name: string; attributes: OtlpAttribute[] }[];
  status: { code: number; message?: string };
}

/** The body of `POST /v1/traces` (ExportTraceServiceRequest, JSON encoding). */
export interface OtlpTraceRequest {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[];
  }[];
}

export interface OtlpSpanOptions {
  /** Resource attributes (default `service.name` = "lmx"). */
  resource?: Record<string, unknown>;
  /** Include prompts and outputs (`gen_ai.input.messages`, `gen_ai.output.messages`); the GenAI conventions make them opt-in. */
  captureContent?: boolean;
}

/**
 * lmx trace trees as one OTLP/HTTP JSON export request. LM spans follow the OpenTelemetry GenAI
 * semantic conventions (span `chat {model}`, kind CLIENT, `gen_ai.*` request, response and usage
 * attributes); technique and step spans are INTERNAL with `lmx.*` attributes. Ids are lmx's UUIDs
 * as hex: 32 digits for the trace, the first 16 for a span.
 */
export function toOtlpRequest(traces: readonly SpanJSON[], options: OtlpSpanOptions = {}): OtlpTraceRequest {
  const spans: OtlpSpan[] = [];
  for (const root of traces) flatten(root, undefined, spans, options);
  return {
    resourceSpans: [
      {
        resource: { attributes: otlpAttributes({ "service.name": "lmx", ...options.resource }) },
        scopeSpans: [{ scope: { name: "lmx", version: "0.1.0" }, spans }],
      },
    ],
  };
}

function flatten(span: SpanJSON, parent: string | undefined, out: OtlpSpan[], options: OtlpSpanOptions): void {
  const spanId = spanIdOf(span.id);
  const lm = span.kind === "lm";
  out.push({
    traceId: hex(span.trace_id).padEnd(32, "0").slice(0, 32),
    spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name: lm
      ? `chat ${String(span.attributes.model ?? span.name)}`
      : span.kind === "technique"
        ? `technique ${span.name}`
        : span.name,
    kind: lm ? CLIENT : INTERNAL,
    startTimeUnixNano: nanos(span.start),
    endTimeUnixNano: nanos(span.end ?? span.start + span.duration_ms),
    attributes: lm ? lmAttributes(span, options) : otherAttributes(span),
    events: span.events.map((e) => ({ timeUnixNano: nanos(e.time), name: e.name, attributes: otlpAttributes(e.data) })),
    status: span.status === "error" ? { code: 2, ...(span.error ? { message: span.error } : {}) } : { code: 0 },
  });
  for (const child of span.children) flatten(child, spanId, out, options);
}

function lmAttributes(span: SpanJSON, options: OtlpSpanOptions): OtlpAttribute[] {
  const a = span.attributes;
  const request = (a.request ?? {}) as Partial<ChatRequest>;
  const stop = request.stop === undefined ? undefined : Array.isArray(request.stop) ? request.stop : [request.stop];
  return otlpAttributes({
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": a.provider,
    "gen_ai.system": a.provider,
    "gen_ai.request.model": a.model,
    "gen_ai.response.model": a.model,
    "gen_ai.request.temperature": request.temperature,
    "gen_ai.request.top_p": request.top_p,
    "gen_ai.request.max_tokens": request.max_tokens ?? request.max_completion_tokens,
    "gen_ai.request.seed": request.seed,
    "gen_ai.request.stop_sequences": stop,
    "gen_ai.request.frequency_penalty": request.frequency_penalty,
    "gen_ai.request.presence_penalty": request.presence_penalty,
    "gen_ai.request.choice.count": typeof a.n === "number" && a.n !== 1 ? a.n : undefined,
    "gen_ai.response.finish_reasons": a.finish_reasons,
    "gen_ai.usage.input_tokens": span.usage.prompt_tokens,
    "gen_ai.usage.output_tokens": span.usage.completion_tokens,
    "gen_ai.usage.cache_read.input_tokens": span.usage.cached_tokens || undefined,
    ...(options.captureContent
      ? {
          "gen_ai.input.messages": request.messages,
          "gen_ai.output.messages": Array.isArray(a.output)
            ? a.output.map((text) => ({ role: "assistant", parts: [{ type: "text", content: text }] }))
            : undefined,
        }
      : {}),
    "lmx.cost_usd": span.usage.cost_usd,
    "lmx.sample_index": a.sample_index,
    "lmx.cache_hit": a.cache_hit,
    "lmx.latency_ms": a.latency_ms,
  });
}

function otherAttributes(span: SpanJSON): OtlpAttribute[] {
  // A stored Responses conversation ("lmx.response") is content, like output and request: never exported here.
  const { output: _output, request: _request, "lmx.response": _conversation, options, ...rest } = span.attributes;
  const t = span.total;
  return otlpAttributes({
    "lmx.span.kind": span.kind,
    ...(span.kind === "technique" ? { "lmx.technique": span.name, "lmx.technique.options": options } : {}),
    ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [`lmx.${k}`, v])),
    "lmx.usage.calls": t.calls,
    "lmx.usage.input_tokens": t.prompt_tokens,
    "lmx.usage.output_tokens": t.completion_tokens,
    "lmx.usage.cost_usd": t.cost_usd,
  });
}

function hex(id: string): string {
  return id.replace(/[^0-9a-f]/gi, "").toLowerCase();
}

/** 16 hex digits from a UUID (its first 64 bits). */
function spanIdOf(id: string): string {
  return hex(id).padEnd(16, "0").slice(0, 16);
}

function nanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}
