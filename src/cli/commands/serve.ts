import type { Command } from "commander";
import { defaultModelSpec } from "../../providers/resolve-model.ts";
import { startServer } from "../../server/start-server.ts";
import type { CliIO } from "../cli-io.ts";
import { parseIntArg } from "../parse-number.ts";
import { openRuntime } from "../runtime.ts";

interface ServeOptions {
  port: number;
  host: string;
  model?: string;
  cache?: boolean | string;
}

/** `lmx serve`: the OpenAI-compatible proxy, until SIGINT or SIGTERM. */
export function registerServe(program: Command, io: CliIO, signals: NodeJS.EventEmitter = process): void {
  program
    .command("serve")
    .description("serve any technique over any model as an OpenAI-compatible API (POST /v1/chat/completions)")
    .option("-p, --port <n>", "port (0 picks a free one)", parseIntArg, 8787)
    .option("--host <host>", "address to listen on (beyond loopback only with server keys)", "127.0.0.1")
    .option("-m, --model <spec>", "default model spec or alias, for requests that name none or only techniques")
    .option("--cache [path]", "cache responses in SQLite (default path .lmx/cache.sqlite or LMX_CACHE)")
    .action(async (options: ServeOptions) => {
      const runtime = openRuntime({ config: program.opts().config, cache: options.cache });
      try {
        const defaultModel = options.model ?? (await defaultModelSpec(runtime.config).catch(() => undefined));
        const server = await startServer({
          config: runtime.config,
          resolveModel: runtime.resolveModel,
          defaultModel,
          host: options.host,
          port: options.port,
          log: (line) => io.stderr.write(`${line}\n`),
        });
        const access = server.settings.keys?.length ? `${server.settings.keys.length} key(s) required` : "local clients only";
        io.stdout.write(`lmx serve: listening on ${server.url} (default model: ${defaultModel ?? "none"}; ${access})\n`);
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
        await runtime.close();
      }
    });
}
