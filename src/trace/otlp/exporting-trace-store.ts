import type { TraceStore } from "../../server/trace-store.ts";
import type { OtlpExporter } from "./otlp-exporter.ts";

/**
 * A trace store that also exports every trace it is given over OTLP, so a server can keep its
 * traces (memory or SQLite) and send them to a collector with one store.
 */
export function exportingTraceStore(store: TraceStore, exporter: OtlpExporter): TraceStore {
  return {
    async add(entry) {
      exporter.export(entry.span);
      await store.add(entry);
    },
    get: (id) => store.get(id),
    list: (options) => store.list(options),
  };
}
