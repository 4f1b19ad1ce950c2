/**
 * Code run inside each fresh QuickJS context before the program. It receives one host function,
 * `write(text)`, keeps it in a closure (so the program cannot reach it by name) and builds a
 * minimal `console` and `print` on it. Nothing else of the host is exposed.
 */
export const consolePrelude = `(function (write) {
  const show = (value) => {
    if (typeof value === "string") return value;
    if (value instanceof Error) return String(value);
    if (typeof value === "function" || typeof value === "symbol" || value === undefined) return String(value);
    try {
      const json = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
      return json === undefined ? String(value) : json;
    } catch (error) {
      return String(value);
    }
  };
  const log = (...values) => { write(values.map(show).join(" ")); };
  const console = { log, info: log, warn: log, error: log, debug: log, trace: log };
  Object.defineProperty(globalThis, "console", { value: console, writable: true, configurable: true });
  Object.defineProperty(globalThis, "print", { value: log, writable: true, configurable: true });
})`;

/**
 * Turns the program's result into a JSON string `{"json": "..."}` (JSON data) or `{"text": "..."}`
 * (functions, symbols, NaN, cycles...), inside the VM, so the host only ever reads a string.
 */
export const describePrelude = `(function (value) {
  if (value === undefined) return undefined;
  const text = (v) => JSON.stringify({ text: String(v) });
  if (typeof value === "function" || typeof value === "symbol") return text(value);
  if (typeof value === "number" && !Number.isFinite(value)) return text(value);
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? JSON.stringify({ json: String(value) }) : text(value);
  try {
    const json = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    return json === undefined ? text(value) : JSON.stringify({ json });
  } catch (error) {
    return text(value);
  }
})`;
