import type { Usage } from "../../core/types.ts";
import { traceStatus, type TraceEntry, type TraceStatus, type TraceSummary } from "../../server/trace-store.ts";
import { traceJson } from "./trace-json.ts";
import type { TraceStoreLimits } from "./trace-store-limits.ts";

/** One trace as a persistent store keeps it (SQLite and PostgreSQL alike): summary columns, JSON tree, size. */
export interface TraceRow {
  id: string;
  model: string;
  lm: string | null;
  status: TraceStatus;
  error: string | null;
  stream: boolean;
  start: number;
  duration_ms: number;
  usage: string;
  root: string;
  /** What the row counts against maxBytes. */
  bytes: number;
}

/** A finished run as a row: long strings cut to the limits, the tree cut to maxTraceBytes (see traceJson). */
export function traceRow(entry: TraceEntry, limits: Required<TraceStoreLimits>): TraceRow {
  const { span, model, lm, stream, error } = entry;
  span.finish();
  const root = traceJson(span.toJSON(), limits);
  const cutError =
    error === undefined
      ? null
      : error.length > limits.maxFieldBytes
        ? `${error.slice(0, limits.maxFieldBytes)}… [truncated]`
        : error;
  const usage = JSON.stringify(span.total);
  return {
    id: span.traceId,
    model: model.slice(0, limits.maxFieldBytes),
    lm: lm?.slice(0, limits.maxFieldBytes) ?? null,
    status: traceStatus(entry),
    error: cutError,
    stream,
    start: span.start,
    duration_ms: span.durationMs,
    usage,
    root,
    bytes: Buffer.byteLength(root) + Buffer.byteLength(usage) + (cutError ? Buffer.byteLength(cutError) : 0),
  };
}

/** A stored row's summary columns back as a TraceSummary (numbers may come back as text from PostgreSQL). */
export function traceSummary(
  row: Omit<TraceRow, "root" | "bytes" | "stream" | "start"> & {
    stream: boolean | number;
    start: number | string;
  },
): TraceSummary {
  return {
    id: row.id,
    model: row.model,
    ...(row.lm === null ? {} : { lm: row.lm }),
    status: row.status,
    ...(row.error === null ? {} : { error: row.error }),
    stream: row.stream === true || row.stream === 1,
    start: Number(row.start),
    duration_ms: Number(row.duration_ms),
    usage: JSON.parse(row.usage) as Usage,
  };
}

/** A trace id prefix as a LIKE pattern with its wildcards taken literally (escape character `\`). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
