import { Span, type SpanJSON } from "../span.ts";
import { toOtlpRequest } from "./otlp-spans.ts";

export interface OtlpExporterOptions {
  /** The full traces URL, e.g. `http://localhost:4318/v1/traces` (see otlpSettings). */
  url: string;
  headers?: Record<string, string>;
  /** Traces per request (default 32): a full batch is sent at once. */
  batchSize?: number;
  /** A partial batch waits at most this long (default 2000 ms). */
  flushIntervalMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Traces held while the endpoint is slow; beyond it the oldest are dropped (default 2048). */
  maxQueue?: number;
  /** Include prompts and outputs in LM spans (opt-in, as the GenAI conventions say). */
  captureContent?: boolean;
  /** Where the one warning goes when exporting fails (default stderr). */
  warn?: (message: string) => void;
  fetch?: typeof fetch;
}

export interface OtlpExporter {
  /** Queues a finished trace (a root span or its JSON); never throws. */
  export(trace: Span | SpanJSON): void;
  /** Sends everything queued; resolves when done (failures are warned about, not thrown). */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  shutdown(): Promise<void>;
}

/**
 * Exports lmx traces to an OpenTelemetry collector as OTLP/HTTP JSON (`POST .../v1/traces`) over
 * fetch, in batches. Exporting never fails the run: a failed request drops its batch and logs a
 * single warning for the exporter's lifetime. The timer is unref'd, so it never keeps a CLI alive.
 */
export function createOtlpExporter(options: OtlpExporterOptions): OtlpExporter {
  const { url, batchSize = 32, flushIntervalMs = 2000, timeoutMs = 10_000, maxQueue = 2048 } = options;
  const send = options.fetch ?? fetch;
  const warn = options.warn ?? ((m: string) => process.stderr.write(`lmx: ${m}\n`));
  let queue: SpanJSON[] = [];
  let timer: NodeJS.Timeout | undefined;
  let warned = false;
  let inFlight: Promise<void> = Promise.resolve();

  const warnOnce = (message: string) => {
    if (warned) return;
    warned = true;
    warn(`OTLP export to ${url} failed (${message}); traces are not exported, the run goes on`);
  };

  async function post(batch: SpanJSON[]): Promise<void> {
    try {
      const response = await send(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...options.headers },
        body: JSON.stringify(toOtlpRequest(batch, { captureContent: options.captureContent })),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Drain the body so the connection can be reused.
      const text = await response.text().catch(() => "");
      if (!response.ok) warnOnce(`HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
    } catch (error) {
      warnOnce(error instanceof Error ? error.message : String(error));
    }
  }

  function drain(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      queue = queue.slice(batchSize);
      // Requests go one after another, so a slow collector sees no burst.
      inFlight = inFlight.then(() => post(batch));
    }
    return inFlight;
  }

  return {
    export(trace) {
      queue.push(trace instanceof Span ? trace.toJSON() : trace);
      if (queue.length > maxQueue) {
        queue.splice(0, queue.length - maxQueue);
        warnOnce(`more than ${maxQueue} traces waiting`);
      }
      if (queue.length >= batchSize) void drain();
      else if (!timer) {
        timer = setTimeout(() => void drain(), flushIntervalMs);
        timer.unref();
      }
    },
    flush: drain,
    async shutdown() {
      await drain();
    },
  };
}
