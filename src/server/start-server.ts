import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { assertSafeBinding } from "./access.ts";
import { createServerApp, type ServerApp, type ServerAppOptions } from "./create-server-app.ts";

export interface StartServerOptions extends ServerAppOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. Default 8787. */
  port?: number;
}

export interface RunningServer extends ServerApp {
  /** e.g. `http://127.0.0.1:8787/v1`, for an OpenAI client's `baseURL`. */
  url: string;
  host: string;
  port: number;
  /** Stops accepting, aborts requests in flight and waits for the socket to close. */
  close(): Promise<void>;
}

/** Starts `lmx serve`'s app on a real HTTP server. Listening beyond loopback requires keys. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const made = createServerApp(options);
  assertSafeBinding({ host, keys: made.settings.keys });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: made.app.fetch, port: options.port ?? 8787, hostname: host }, () => resolve(s));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    ...made,
    url: `http://${shownHost}:${port}/v1`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const http = server as ServerType & { closeAllConnections?: () => void };
        server.close(() => resolve());
        http.closeAllConnections?.();
      }),
  };
}
