import type { LoadedConfig } from "../../config/load-config.ts";

export interface OtlpSettings {
  /** The full URL traces are POSTed to. */
  url: string;
  headers: Record<string, string>;
  captureContent: boolean;
}

/**
 * Where traces are exported, if anywhere: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is), else
 * `OTEL_EXPORTER_OTLP_ENDPOINT` or the config's `otlp.endpoint` with `/v1/traces` appended.
 * Headers come from `otlp.headers` and `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`). Undefined when
 * nothing is configured or `OTEL_SDK_DISABLED=true`.
 */
export function otlpSettings(options: {
  config?: Pick<LoadedConfig, "otlp">;
  /** The caller's environment (the CLI passes process.env; nothing below reads it). */
  env: Readonly<Record<string, string | undefined>>;
}): OtlpSettings | undefined {
  const env = options.env;
  const otlp = options.config?.otlp;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || otlp?.endpoint?.trim();
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined);
  if (!url) return undefined;
  const headers = {
    ...otlp?.headers,
    ...parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS ?? ""),
  };
  return { url, headers, captureContent: otlp?.captureContent ?? false };
}

/** `k=v,k2=v2` with URL-encoded values, as the OpenTelemetry environment variables write headers. */
function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim();
    const raw = pair.slice(at + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // A stray % is kept as written.
    }
    if (key) out[key] = value;
  }
  return out;
}
