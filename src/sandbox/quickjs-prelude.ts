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
 * (functions, symbols, NaN, cycles...), inside the VM, so the host only ever reads a string. Text
 * longer than `max` characters (the string itself, or the JSON of data) comes back as `{"cut": ...}`,
 * its first `max` characters, so a huge result is never copied out whole.
 */
export const describePrelude = `(function (value, max) {
  if (value === undefined) return undefined;
  const cut = (s) => JSON.stringify({ cut: s.slice(0, max) });
  const text = (v) => { const s = String(v); return s.length > max ? cut(s) : JSON.stringify({ text: s }); };
  if (typeof value === "string" && value.length > max) return cut(value);
  if (typeof value === "function" || typeof value === "symbol") return text(value);
  if (typeof value === "number" && !Number.isFinite(value)) return text(value);
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? JSON.stringify({ json: String(value) }) : text(value);
  try {
    const json = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    if (json === undefined) return text(value);
    return json.length > max ? cut(json) : JSON.stringify({ json });
  } catch (error) {
    return text(value);
  }
})`;

/**
 * Reads a thrown value inside the VM as plain data with every text cut to `max` characters: an
 * Error's name, message and stack, or a primitive. A 30 MB thrown string leaves the VM as 64 KB.
 */
export const errorPrelude = `(function (e, max) {
  const cut = (s) => (s.length > max ? s.slice(0, max) + "\\n[truncated at " + max + " characters]" : s);
  const str = (v) => { try { return cut(String(v)); } catch (error) { return "?"; } };
  if (typeof e === "string") return cut(e);
  if (e === null || (typeof e !== "object" && typeof e !== "function")) return typeof e === "symbol" || typeof e === "bigint" ? str(e) : e;
  let name, message, stack;
  try { name = e.name; message = e.message; stack = e.stack; } catch (error) { return "an error that could not be read"; }
  return { name: name === undefined ? undefined : str(name), message: message === undefined ? undefined : str(message), stack: typeof stack === "string" ? cut(stack) : undefined };
})`;
