import type { LoadedConfig } from "../../config/load-config.ts";
import type { Span } from "../../trace/span.ts";
import { configuredOtlpExporter } from "../../trace/otlp/configured-otlp-exporter.ts";
import type { PersistentTraceStore } from "./persistent-trace-store.ts";
import type { TraceStoreLimits } from "./trace-store-limits.ts";

export interface KeepTraceOptions {
  span: Span;
  /** The model the user asked for, and the LM that ran (as a spec). */
  model: string;
  lm?: string;
  stream: boolean;
  error?: string;
  config: Pick<LoadedConfig, "otlp" | "env">;
  /** How much the store keeps (the runtime's `limits.traces`; default: the store's defaults). */
  limits?: TraceStoreLimits;
  /** Opens the trace store with those limits; see openStores. */
  openStore: (limits: TraceStoreLimits) => PersistentTraceStore;
  /** Where a failure to save or export is reported; the run itself never fails for it. */
  warn: (message: string) => void;
}

/**
 * Saves a finished run's trace to the persistent trace store (for `lmx trace <id>` and `/ui`) and
 * exports it over OTLP when an endpoint is configured. Returns the trace id. Never throws.
 */
export async function keepTrace(options: KeepTraceOptions): Promise<string> {
  const { span, warn } = options;
  span.finish();
  try {
    const store = options.openStore(options.limits ?? {});
    try {
      await store.add({ span, model: options.model, lm: options.lm, stream: options.stream, error: options.error });
    } finally {
      await store.close();
    }
  } catch (error) {
    warn(`the trace was not saved: ${error instanceof Error ? error.message : String(error)}`);
  }
  const exporter = configuredOtlpExporter({ config: options.config, env: options.config.env, warn });
  if (exporter) {
    exporter.export(span);
    await exporter.shutdown();
  }
  return span.traceId;
}
