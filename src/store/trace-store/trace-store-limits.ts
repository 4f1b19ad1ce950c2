/** How much a trace store may keep; every field has a default that fits a laptop. */
export interface TraceStoreLimits {
  /** Traces kept, newest first (default 1000). */
  capacity?: number;
  /** Bytes of trace data kept; the oldest traces go first (default 256 MiB). */
  maxBytes?: number;
  /** Traces older than this are deleted (default 30 days). */
  maxAgeMs?: number;
  /** Longer strings in a trace (prompts, bodies) are stored cut, with their size (default 64 KiB). */
  maxFieldBytes?: number;
  /** One trace's stored size, after cutting strings (default 1 MiB). */
  maxTraceBytes?: number;
}

export const TRACE_STORE_DEFAULTS: Required<TraceStoreLimits> = {
  capacity: 1000,
  maxBytes: 256 * 1024 * 1024,
  maxAgeMs: 30 * 24 * 3600 * 1000,
  maxFieldBytes: 64 * 1024,
  maxTraceBytes: 1024 * 1024,
};

/** The limits `options` sets, the rest at their defaults (an undefined field keeps its default). */
export function limitsWithDefaults(options: TraceStoreLimits): Required<TraceStoreLimits> {
  const set = Object.fromEntries(
    Object.keys(TRACE_STORE_DEFAULTS).flatMap((k) =>
      options[k as keyof TraceStoreLimits] === undefined ? [] : [[k, options[k as keyof TraceStoreLimits]]],
    ),
  );
  return { ...TRACE_STORE_DEFAULTS, ...set };
}

/** The `traces` section of lmx.config.json. */
export interface TracesConfig {
  maxBytes?: number;
  maxAgeDays?: number;
  capacity?: number;
  maxFieldBytes?: number;
}

/** Store limits from the config's `traces` section, for whoever opens the store (`lmx serve`, `lmx ask`). */
export function traceStoreLimits(traces: TracesConfig | undefined): TraceStoreLimits {
  if (!traces) return {};
  return {
    capacity: traces.capacity,
    maxBytes: traces.maxBytes,
    maxAgeMs: traces.maxAgeDays === undefined ? undefined : traces.maxAgeDays * 24 * 3600 * 1000,
    maxFieldBytes: traces.maxFieldBytes,
  };
}
