/**
 * Turns a test server starter into `withServer(options, fn)`: it starts a server, runs `fn` with it
 * and closes it afterwards, also when `fn` fails, so a failing test leaves no port open.
 */
export function scopedServer<O, S extends { close(): Promise<void> }>(start: (options: O) => Promise<S>) {
  return async (options: O, fn: (server: S) => Promise<void>): Promise<void> => {
    const server = await start(options);
    try {
      await fn(server);
    } finally {
      await server.close();
    }
  };
}
