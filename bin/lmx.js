#!/usr/bin/env node
// The lmx command. An installed package runs the compiled CLI in dist/. A development checkout that has
// not been built (`npm run build`) runs the TypeScript sources through tsx, a devDependency.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli/bin.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    process.stderr.write("lmx: dist/ is missing and tsx is not installed: run `npm run build` in the lmx folder\n");
    process.exit(1);
  }
  register();
  await import("../src/cli/bin.ts");
}
