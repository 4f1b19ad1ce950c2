import type { Command } from "commander";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { defaultModelSpec } from "../../providers/resolve-model.ts";
import { startServer } from "../../server/start-server.ts";
import { writeBehindTraceStore } from "../../store/trace-store/write-behind-trace-store.ts";
import { configuredOtlpExporter } from "../../trace/otlp/configured-otlp-exporter.ts";
import { exportingTraceStore } from "../../trace/otlp/exporting-trace-store.ts";
import type { CliIO } from "../cli-io.ts";
import { parseIntArg } from "../parse-number.ts";
import { openSharedState } from "../../shared-state/open-shared-state.ts";
import { sharedStateSettings } from "../../shared-state/shared-state-settings.ts";
import { openRuntime } from "../runtime.ts";
import { loadConfig } from "../../config/load-config.ts";

interface ServeOptions {
  port: number;
  host: string;
  model?: string;
  cache?: boolean | string;
}

/** `lmx serve`: the OpenAI-compatible proxy, until SIGINT or SIGTERM. */
export function configureServe(
  command: Command,
  program: Command,
  io: CliIO,
  signals: NodeJS.EventEmitter = process,
): void {
  command
    .option("-p, --port <n>", "port (0 picks a free one)", parseIntArg, 8787)
    .option("--host <host>", "address to listen on (beyond loopback only with server keys)", "127.0.0.1")
    .option("-m, --model <spec>", "default model spec or alias, for requests that name none or only techniques")
    .option("--cache [path]", "cache responses in SQLite (default path .lmx/cache.sqlite or LMX_CACHE)")
    .action(async (options: ServeOptions) => {
      // Shared state first: the runtime's endpoints take their limits from it.
      const loaded = loadConfig({ path: program.opts().config, env: process.env });
      const shared = await openSharedState(sharedStateSettings(loaded), {
        log: (line) => io.stderr.write(`${line}\n`),
      });
      const runtime = openRuntime({ loaded, cache: options.cache, sharedLimits: shared.limits });
      // Requests' traces persist (so `lmx trace` and /ui see them after a restart) and go to OTLP when configured.
      // Migrations run now, so a database that cannot be reached or is too new stops the start, not a request.
      await runtime.stores.migrate().catch(async (error: unknown) => {
        await runtime.close();
        await shared.close();
        throw error;
      });
      const saved = runtime.stores.traces(runtime.limits.traces);
      const warn = (line: string) => io.stderr.write(`lmx serve: ${line}\n`);
      const exporter = configuredOtlpExporter({ config: runtime.config, env: runtime.env, warn });
      const traces = writeBehindTraceStore(exporter ? exportingTraceStore(saved, exporter) : saved, (e) =>
        warn(`cannot save a trace: ${(e as Error).message}`),
      );
      try {
        const defaultModel = options.model ?? (await defaultModelSpec(runtime.config).catch(() => undefined));
        const server = await startServer({
          runtime,
          defaultModel,
          traces,
          ledger: shared.ledger,
          host: options.host,
          port: options.port,
          log: (line) => io.stderr.write(`${line}\n`),
        }).catch((error: unknown) => {
          throw listenError(error, options);
        });
        const access = server.settings.keys?.length
          ? `${server.settings.keys.length} key(s) required`
          : "local clients only";
        io.stdout.write(
          `lmx serve: listening on ${server.url} (default model: ${defaultModel ?? "none"}; ${access}; shared state: ${shared.where})\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => {
            signals.off("SIGINT", stop);
            signals.off("SIGTERM", stop);
            resolve();
          };
          signals.on("SIGINT", stop);
          signals.on("SIGTERM", stop);
        });
        io.stderr.write("lmx serve: shutting down\n");
        await server.close();
      } finally {
        await traces.flush();
        await shared.close();
        await exporter?.shutdown();
        await saved.close();
        await runtime.close();
      }
    });
}

/** A port in use or not allowed is a one-line failure naming the address, not a stack trace. */
function listenError(error: unknown, options: ServeOptions): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== "EADDRINUSE" && code !== "EACCES" && code !== "EADDRNOTAVAIL") return error;
  const why =
    code === "EADDRINUSE" ? "the port is in use" : code === "EACCES" ? "permission denied" : "no such address";
  return new ConfigurationError(
    `cannot listen on ${options.host}:${options.port}: ${why} (choose another with --port/--host)`,
    {
      cause: error,
    },
  );
}
