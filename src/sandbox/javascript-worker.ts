import { parentPort } from "node:worker_threads";
import { discardQuickJSModule, quickJSModule } from "./quickjs-module.ts";
import { runQuickJS, type Limits } from "./run-quickjs.ts";

/**
 * A JavaScript sandbox worker thread: loads the QuickJS module once, then runs one program per
 * message, each in a fresh QuickJS runtime. The host terminates the thread for time limits and
 * aborts; this side caps the WebAssembly heap's growth per run (an outer memory limit beyond
 * QuickJS's own accounting) and asks to be retired once its heap is large or its module suspect.
 */
export interface WorkerRun {
  type: "run";
  code: string;
  limits: Limits;
}

/** Extra heap growth a run may cause beyond its memory limit (allocator overhead, error reading). */
const GROWTH_SLACK = 16 * 1024 * 1024;
/** A worker whose heap grew past this is replaced after its run (wasm memory never shrinks). */
const RETIRE_HEAP_BYTES = 256 * 1024 * 1024;

let allowance = Infinity;
let base: number | undefined;
let heapBytes = 0;
const grow = WebAssembly.Memory.prototype.grow;
Object.defineProperty(WebAssembly.Memory.prototype, "grow", {
  value(this: WebAssembly.Memory, pages: number) {
    const size = this.buffer.byteLength;
    base ??= size;
    // Emscripten's allocator treats a failed grow as "no memory": QuickJS then throws out of memory.
    if (size + pages * 65536 - base > allowance) throw new RangeError("sandbox memory limit");
    const previous = grow.call(this, pages);
    heapBytes = this.buffer.byteLength;
    return previous;
  },
});

const port = parentPort!;
let module = await quickJSModule();
port.on("message", async (message: WorkerRun) => {
  allowance = message.limits.memoryBytes + GROWTH_SLACK;
  base = undefined;
  const outcome = runQuickJS(module, message.code, message.limits);
  allowance = Infinity;
  const fresh = await quickJSModule();
  // A module replaced during the run (host stack overflow, failed free) may be corrupt: retire.
  const retire = fresh !== module || heapBytes > RETIRE_HEAP_BYTES;
  module = fresh;
  port.postMessage({ type: "result", outcome, retire });
  if (retire) discardQuickJSModule();
});
port.postMessage({ type: "ready" });
