// Module hooks for the Python sandbox process (plain JavaScript: it runs in a locked-down Node
// process without lmx's TypeScript loader). Once the runner sets the shared flag, every import is
// refused, so code that reaches the JavaScript side through Pyodide cannot load node:net, node:fs...
let flag;

export function initialize(data) {
  flag = new Int32Array(data.flag);
}

export async function resolve(specifier, context, next) {
  if (flag && Atomics.load(flag, 0) === 1) throw new Error(`imports are disabled in the sandbox (${specifier})`);
  return next(specifier, context);
}
