import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, test } from "node:test";

// The package as a user gets it: compiled into a staging folder (never the working tree), packed with
// `npm pack`, installed from the tarball into a scratch project without tsx or the optional packages.
const run = promisify(execFile);
const repo = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
  version: string;
  exports: Record<string, unknown>;
};
const subpaths = Object.keys(manifest.exports)
  .filter((key) => key !== "./package.json")
  .map((key) => (key === "." ? "lmx" : `lmx/${key.slice(2)}`));
const tmp = mkdtempSync(join(tmpdir(), "lmx-package-"));
const app = join(tmp, "app");
// Building and installing take ~40 s on an idle 2-core machine; the bound is generous for a loaded one.
const STEP_MS = 240_000;

async function sh(cmd: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return run(cmd, args, {
    cwd,
    timeout: STEP_MS,
    maxBuffer: 16 << 20,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
}

before(
  async () => {
    const stage = join(tmp, "lmx");
    mkdirSync(stage);
    for (const name of ["package.json", "README.md", "bin", "docs"])
      cpSync(join(repo, name), join(stage, name), { recursive: true });
    await sh(
      process.execPath,
      [
        join(repo, "node_modules/typescript/bin/tsc"),
        "-p",
        join(repo, "tsconfig.build.json"),
        "--outDir",
        join(stage, "dist"),
      ],
      repo,
    );
    await sh(process.execPath, [join(repo, "scripts/copy-assets.mjs"), join(stage, "dist")], repo);
    await sh("npm", ["pack", "--ignore-scripts", "--pack-destination", tmp], stage);
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    // From npm's cache, without install scripts (fast, and no download of prebuilt binaries); better-sqlite3's
    // native addon is copied from this checkout's install instead of rebuilt.
    const types = JSON.parse(readFileSync(join(repo, "node_modules/@types/node/package.json"), "utf8")).version;
    const install = ["install", "--prefer-offline", "--ignore-scripts", "--omit=optional", "--no-audit", "--no-fund"];
    await sh("npm", [...install, join(tmp, `lmx-${manifest.version}.tgz`), `@types/node@${types}`], app);
    cpSync(join(repo, "node_modules/better-sqlite3/build"), join(app, "node_modules/better-sqlite3/build"), {
      recursive: true,
    });
  },
  { timeout: 3 * STEP_MS },
);
after(() => rmSync(tmp, { recursive: true, force: true }));

test("the tarball holds the compiled package, not the sources or tests", () => {
  const files = readdirSync(join(app, "node_modules/lmx"), { recursive: true }).map(String);
  assert.ok(files.includes(join("dist", "index.js")) && files.includes(join("dist", "index.d.ts")));
  assert.ok(!files.some((f) => f.startsWith("src")), "no src/ in the package");
  assert.ok(!files.some((f) => /\.test\.(js|ts)$/.test(f)), "no tests in the package");
  assert.ok(!existsSync(join(app, "node_modules/tsx")), "tsx is not installed for a user");
  assert.ok(!existsSync(join(app, "node_modules/node-llama-cpp")), "optional packages were left out");
});

test("plain node imports the root and every subpath", async () => {
  const script = `for (const name of ${JSON.stringify(subpaths)}) { const m = await import(name); if (Object.keys(m).length === 0) throw new Error(name + " exports nothing"); console.log(name, Object.keys(m).length); }`;
  const { stdout } = await sh(process.execPath, ["--input-type=module", "-e", script], app);
  assert.equal(stdout.trim().split("\n").length, subpaths.length, stdout);
});

test("without the optional node-llama-cpp, a llama: model fails with one line naming the package", async () => {
  const script = `import { llamaLM } from "lmx"; try { await llamaLM({ model: "/nonexistent/model.gguf" }).complete({ messages: [{ role: "user", content: "hi" }] }); } catch (e) { console.log(e.name + ": " + e.message); }`;
  const { stdout } = await sh(process.execPath, ["--input-type=module", "-e", script], app);
  assert.match(stdout, /^ConfigurationError: .*npm install node-llama-cpp/);
});

test("the installed package runs a JavaScript program in its sandbox worker, with no tsx", async () => {
  // The worker is a separate file in dist/; a worker entry that needs the TypeScript loader would fail here.
  const script = `import { runJavaScript } from "lmx"; const r = await runJavaScript("print(6 * 7); 'done'", { timeoutMs: 10000 }); console.log(JSON.stringify(r)); process.exit(0);`;
  const { stdout } = await sh(process.execPath, ["--input-type=module", "-e", script], app);
  const result = JSON.parse(stdout.trim()) as { ok: boolean; stdout: string; result?: unknown };
  assert.equal(result.ok, true, stdout);
  assert.equal(result.stdout.trim(), "42");
  assert.equal(result.result, "done");
});

test("without the optional pyodide, a Python program fails with one line naming the package", async () => {
  const script = `import { runProgram } from "lmx"; try { await runProgram({ language: "python", code: "print(1)" }); console.log("ran"); } catch (e) { console.log(e.name + ": " + e.message); }`;
  const { stdout } = await sh(process.execPath, ["--input-type=module", "-e", script], app);
  assert.match(stdout, /^ConfigurationError: .*npm install pyodide/);
});

test("a TypeScript app importing lmx compiles under --module nodenext --strict, with no errors in lmx's types", async () => {
  writeFileSync(
    join(app, "app.ts"),
    `import { openaiLM, selfConsistency, createRunContext, resultText, type LM, type ChatResult } from "lmx";
import { createServerApp } from "lmx/server";
import { lmxMiddleware } from "lmx/ai-sdk";
import { evaluate } from "lmx/eval";
import { tune } from "lmx/tune";
import { DocumentIndex, SqliteCache } from "lmx/store";
import { scriptedLM, startOpenAITestServer } from "lmx/testing";
const lm: LM = selfConsistency(openaiLM({ model: "gpt-4o-mini" }), { n: 3 });
const result: Promise<ChatResult> = lm.complete({ messages: [{ role: "user", content: "hi" }] }, createRunContext());
export const used = [result.then(resultText), createServerApp, lmxMiddleware, evaluate, tune, DocumentIndex, SqliteCache, scriptedLM, startOpenAITestServer];
`,
  );
  const tsc = join(repo, "node_modules/typescript/bin/tsc");
  const args = [
    "--module",
    "nodenext",
    "--moduleResolution",
    "nodenext",
    "--target",
    "es2022",
    "--strict",
    "--noEmit",
    "--types",
    "node",
    "app.ts",
  ];
  const out = await sh(process.execPath, [tsc, ...args], app).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? String(e),
  );
  // No errors at all: lmx's types, and those of the packages they expose, compile without skipLibCheck.
  assert.deepEqual(
    out.split("\n").filter((line) => /error TS/.test(line)),
    [],
    out,
  );
});

test("npx lmx --version prints the package's version", async () => {
  const { stdout } = await sh("npx", ["--no-install", "lmx", "--version"], app);
  assert.equal(stdout.trim(), manifest.version);
});
