/**
 * Seconds a server asked us to wait: `retry-after-ms`, or `Retry-After` as seconds or an HTTP date.
 * Undefined when the headers say nothing usable.
 */
export function retryAfterSeconds(options: { headers: Headers | undefined | null; now?: number }): number | undefined {
  const { headers, now = Date.now() } = options;
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms) / 1000);
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
