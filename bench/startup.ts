/**
 * Start-up of the compiled package (dist/, built with `npm run build`): `lmx --version`, `lmx ask` from
 * spawn to its first request reaching the model, and `import("lmx")` alone, each as the median of
 * several runs and as a ratio to `node -e ''` measured in the same run (the machine is shared and noisy).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startOpenAITestServer } from "../src/testing/openai-test-server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = fileURLToPath(new URL("../bin/lmx.js", import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeExit(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
  child.stdout.resume();
  return new Promise((resolve, reject) =>
    child.on("close", (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(" ")} exited ${code}`)),
    ),
  );
}

export async function run(options: { iterations?: number; log?: (line: string) => void } = {}) {
  const { iterations = 7, log = console.log } = options;
  if (!existsSync(new URL("../dist/cli/bin.js", import.meta.url)))
    spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  let sentAt = 0;
  const server = await startOpenAITestServer({ reply: () => ((sentAt ||= performance.now()), "4") });
  const home = mkdtempSync(join(tmpdir(), "lmx-startup-"));
  const env = {
    ...process.env,
    OPENAI_BASE_URL: server.url,
    OPENAI_API_KEY: "test",
    XDG_STATE_HOME: home,
    XDG_CACHE_HOME: home,
  };
  const figures = {
    node: [] as number[],
    version: [] as number[],
    askFirstRequest: [] as number[],
    rootImport: [] as number[],
  };
  try {
    for (let i = 0; i < iterations; i++) {
      figures.node.push(await timeExit(["-e", ""]));
      figures.version.push(await timeExit([bin, "--version"]));
      sentAt = 0;
      const started = performance.now();
      await timeExit([bin, "ask", "-m", "openai:test-model", "--no-stream", "What is 2+2?"], env);
      figures.askFirstRequest.push(sentAt - started);
      const out = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const t = performance.now(); await import("lmx"); console.log(performance.now() - t);`,
        ],
        { cwd: root, encoding: "utf8" },
      );
      figures.rootImport.push(Number(out.stdout.trim()));
    }
  } finally {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
  const node = median(figures.node);
  const result = {
    node_ms: Math.round(node),
    version_ms: Math.round(median(figures.version)),
    ask_first_request_ms: Math.round(median(figures.askFirstRequest)),
    root_import_ms: Math.round(median(figures.rootImport)),
    version_ratio: +(median(figures.version) / node).toFixed(2),
    ask_first_request_ratio: +(median(figures.askFirstRequest) / node).toFixed(2),
  };
  log(
    `node -e '': ${result.node_ms} ms; lmx --version: ${result.version_ms} ms (${result.version_ratio}x); lmx ask to first request: ${result.ask_first_request_ms} ms (${result.ask_first_request_ratio}x); import("lmx"): ${result.root_import_ms} ms`,
  );
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
