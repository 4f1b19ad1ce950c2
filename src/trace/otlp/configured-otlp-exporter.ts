import type { LoadedConfig } from "../../config/load-config.ts";
import { createOtlpExporter, type OtlpExporter } from "./otlp-exporter.ts";
import { otlpSettings } from "./otlp-settings.ts";

/**
 * The exporter the config and environment ask for (see otlpSettings), or undefined when traces go
 * nowhere. What every command that finishes traces (ask, eval, serve, worker) opens.
 */
export function configuredOtlpExporter(options: {
  config: Pick<LoadedConfig, "otlp">;
  env: Readonly<Record<string, string | undefined>>;
  /** Where a failed export is reported; runs never fail for it. */
  warn: (message: string) => void;
}): OtlpExporter | undefined {
  const settings = otlpSettings({ config: options.config, env: options.env });
  return settings
    ? createOtlpExporter({
        url: settings.url,
        headers: settings.headers,
        captureContent: settings.captureContent,
        warn: options.warn,
      })
    : undefined;
}
