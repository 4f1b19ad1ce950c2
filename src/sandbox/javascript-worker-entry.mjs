// Entry of a JavaScript sandbox worker thread (plain JavaScript: a worker does not inherit the
// TypeScript loader the CLI registers in its main thread, so it registers tsx itself).
import { register } from "tsx/esm/api";

register();
await import("./javascript-worker.ts");
