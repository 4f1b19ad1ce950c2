// The Python sandbox process (plain JavaScript: it runs in a Node process started with the
// permission model, without lmx's TypeScript loader). It loads Pyodide, then closes every door to
// the host before the program runs: imports are locked, network and process globals are deleted,
// Pyodide's host file system driver is removed and WebAssembly memory growth is capped. The host
// sends {code, memoryBytes, maxOutputChars} over IPC and gets {ready} and then the result back.
import { constants } from "node:fs";
import { register } from "node:module";

const send = process.send.bind(process);
const exit = process.exit.bind(process);
// The host went away (it kills a running program itself): nothing left to answer.
process.on("disconnect", () => exit(0));
const [pyodideUrl, hookUrl] = process.argv.slice(2);
const flag = new SharedArrayBuffer(4);
register(hookUrl, { data: { flag } });

// Pyodide's host file system driver reads fs constants through process.binding, which the
// permission model refuses; the constants themselves are harmless.
const binding = process.binding.bind(process);
process.binding = (name) => (name === "constants" ? { fs: constants } : binding(name));

const { loadPyodide } = await import(pyodideUrl);
let output = [];
let size = 0;
let maxOutput = 65536;
let truncated = false;
const write = (line) => {
  if (truncated) return;
  if (size + line.length + 1 > maxOutput) {
    output.push(`${line.slice(0, Math.max(0, maxOutput - size))}\n[output truncated at ${maxOutput} characters]`);
    truncated = true;
    return;
  }
  output.push(line);
  size += line.length + 1;
};
// stderr (warnings, fatal-error dumps) is not part of the output: errors come back as the error text.
const pyodide = await loadPyodide({
  stdout: write,
  stderr: () => {},
  jsglobals: Object.create(null),
  env: { HOME: "/home/pyodide" },
});
// Converts the program's result to JSON in Python, in a namespace the program cannot see: integers
// beyond 2^53 become strings (JSON numbers would lose digits), other objects their repr.
const helpers = pyodide.toPy({});
pyodide.runPython(
  `import json, math
def plain(v, depth=0):
    if v is None or isinstance(v, (bool, str)) or depth > 50:
        return v if depth <= 50 else repr(v)
    if isinstance(v, int):
        return v if abs(v) <= 2 ** 53 else str(v)
    if isinstance(v, float):
        return v if math.isfinite(v) else repr(v)
    if isinstance(v, (list, tuple)):
        return [plain(x, depth + 1) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x, depth + 1) for k, x in v.items()}
    return repr(v)
def to_json(v):
    return json.dumps(plain(v))`,
  { globals: helpers },
);
const toJson = helpers.get("to_json");

process.once("message", async ({ code, memoryBytes, maxOutputChars }) => {
  maxOutput = maxOutputChars;
  lockDown(memoryBytes);
  const outcome = capped(await run(code));
  // Exit only once the message is out: a big one (a long result) is still being written otherwise.
  send({ type: "result", ...outcome, stdout: output.join("\n"), truncated }, () => exit(0));
});

function lockDown(memoryBytes) {
  capWebAssemblyMemory(memoryBytes);
  delete pyodide.FS.filesystems.NODEFS;
  delete pyodide.FS.filesystems.NATIVEFS_ASYNC;
  for (const key of [
    "process",
    "fetch",
    "XMLHttpRequest",
    "WebSocket",
    "EventSource",
    "Request",
    "Response",
    "Headers",
    "require",
    "module",
    "Buffer",
    "navigator",
  ]) {
    try {
      delete globalThis[key];
    } catch {}
  }
  // The host-bridge modules are removed from the import system itself (the finder that serves
  // them), not just from sys.modules: `del sys.modules['js']; import js` finds nothing.
  for (const name of ["js", "pyodide_js"]) {
    try {
      pyodide.unregisterJsModule(name);
    } catch {}
  }
  pyodide.runPython(
    // Submodules too: `sys.modules["pyodide_js._api"]` would hand the program Pyodide's JS API.
    "import sys\nfrom _pyodide._importhook import jsfinder\njsfinder.jsproxies.clear()\nfor _m in [k for k in list(sys.modules) if k in ('js', 'pyodide_js') or k.startswith(('js.', 'pyodide_js.'))]:\n    sys.modules.pop(_m, None)\ndel _m, sys, jsfinder",
  );
  Atomics.store(new Int32Array(flag), 0, 1);
}

/**
 * Every byte of WebAssembly memory the program can cause counts against its limit: growth of
 * Pyodide's heap and of any WebAssembly.Memory it makes through the FFI, together. (Memories a
 * compiled module declares itself bypass this count; the process's data limit stops those.)
 */
function capWebAssemblyMemory(memoryBytes) {
  let used = 0;
  const take = (bytes) => {
    if (used + bytes > memoryBytes) throw new RangeError("sandbox memory limit");
    used += bytes;
  };
  const NativeMemory = WebAssembly.Memory;
  const grow = NativeMemory.prototype.grow;
  Object.defineProperty(NativeMemory.prototype, "grow", {
    value(pages) {
      const n = Number(pages);
      take(n * 65536);
      return grow.call(this, n);
    },
    writable: false,
    configurable: false,
  });
  function Memory(descriptor) {
    if (!new.target) throw new TypeError("WebAssembly.Memory must be called with new");
    // Read once: a getter could answer differently to the count and to the constructor.
    const d = {
      initial: Number(descriptor?.initial ?? 0),
      maximum: descriptor?.maximum === undefined ? undefined : Number(descriptor.maximum),
      shared: Boolean(descriptor?.shared),
    };
    take(d.initial * 65536);
    return new NativeMemory(d.maximum === undefined ? { initial: d.initial, shared: d.shared } : d);
  }
  Memory.prototype = NativeMemory.prototype;
  Object.defineProperty(NativeMemory.prototype, "constructor", { value: Memory, writable: false, configurable: false });
  Object.defineProperty(WebAssembly, "Memory", { value: Memory, writable: false, configurable: false });
}

/** The result and error text cut at the output limit here, so a huge one never crosses to the host. */
function capped(outcome) {
  if (typeof outcome.error === "string" && outcome.error.length > maxOutput) {
    // A traceback's last line names the error: keep both ends.
    const half = Math.floor(maxOutput / 2);
    outcome.error = `${outcome.error.slice(0, half)}\n[...]\n${outcome.error.slice(-half)}`;
  }
  if (outcome.result === undefined) return outcome;
  const text = typeof outcome.result === "string" ? outcome.result : JSON.stringify(outcome.result);
  if (text === undefined || text.length <= maxOutput) return outcome;
  truncated = true;
  return { ...outcome, result: `${text.slice(0, maxOutput)}\n[result truncated at ${maxOutput} characters]` };
}

async function run(code) {
  try {
    let value = pyodide.runPython(code, { globals: pyodide.toPy({ __name__: "__main__" }), filename: "program.py" });
    // A JavaScript promise (reached through Pyodide's FFI) is awaited; the host's time limit still holds.
    if (value && typeof value.then === "function") value = await value;
    return { ok: true, result: plain(value) };
  } catch (error) {
    // A RangeError is the JavaScript stack overflowing under very deep Python recursion.
    const type = error instanceof RangeError ? "RangeError" : error?.type;
    return { ok: false, error: String(error?.message ?? error), errorType: type };
  }
}

/** JSON data for the result: converted in Python (see `helpers`), or what JavaScript gave back. */
function plain(value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value !== "object" && typeof value !== "function") return value;
  try {
    return JSON.parse(toJson(value));
  } catch {
    return String(value);
  } finally {
    value.destroy?.();
  }
}

send({ type: "ready" });
