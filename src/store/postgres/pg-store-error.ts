import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { redactUrl } from "../../core/redact-url.ts";

/** Whether a PostgreSQL failure means the connection was lost (the server went down or ended it). */
export function isConnectionLost(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  return (
    code.startsWith("08") || // connection exception
    code === "57P01" || // admin_shutdown (pg_terminate_backend)
    code === "57P02" ||
    code === "57P03" ||
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)
  );
}

/**
 * One PostgreSQL failure as lmx reports it: what it was doing, on which store and database (password
 * hidden), and what to check. Never thrown as a crash: every store operation rejects with it.
 */
export function pgStoreError(options: {
  url: string;
  label: string;
  action: string;
  error: unknown;
}): ConfigurationError {
  const { url, label, action, error } = options;
  const message = error instanceof Error ? error.message : String(error);
  const where = `${label} at ${redactUrl(url)}`;
  const hint = isConnectionLost(error)
    ? " PostgreSQL is not answering or closed the connection; lmx reconnects on the next operation."
    : "";
  return new ConfigurationError(`${where}: PostgreSQL failed to ${action} (${message}).${hint}`, { cause: error });
}
