import { newQuickJSWASMModule, type QuickJSWASMModule } from "quickjs-emscripten";

let current: Promise<QuickJSWASMModule> | undefined;

/**
 * The QuickJS WebAssembly module runs are made in (each run gets its own runtime and context in it).
 * Loaded once and shared; a module that may be corrupt is dropped with `discardQuickJSModule`.
 */
export function quickJSModule(): Promise<QuickJSWASMModule> {
  current ??= newQuickJSWASMModule().catch((error: unknown) => {
    current = undefined;
    throw error;
  });
  return current;
}

/**
 * Forgets the shared module so the next run loads a fresh one. Called when the host stack overflowed
 * inside the interpreter or a runtime failed to free: its C state may be half-updated, so reusing it
 * could mix one program's state into another's.
 */
export function discardQuickJSModule(): void {
  current = undefined;
}
