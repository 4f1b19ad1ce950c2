import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The TypeScript entry through tsx, so tests see the sources as they are, never a stale dist/.
const entry = fileURLToPath(new URL("../bin.ts", import.meta.url));
/** Node's arguments that start `lmx` from its sources; the CLI's own arguments follow. */
export const lmxNodeArgs: readonly string[] = ["--import", import.meta.resolve("tsx"), entry];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `lmx` process in a child process (asynchronously, so in-process test servers keep serving). */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...lmxNodeArgs, ...args], {
      cwd: options.cwd,
      env: { ...userDirs(options.cwd), ...(options.env ?? cleanEnv()) },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/**
 * lmx's state and cache folders (traces, results, indexes, caches) for a run: inside its working folder,
 * so runs in one folder share them as a user's runs would, and nothing lands in the tester's home.
 */
export function userDirs(cwd: string | undefined): NodeJS.ProcessEnv {
  const base = cwd ?? (scratch ??= mkdtempSync(join(tmpdir(), "lmx-cli-home-")));
  return { XDG_STATE_HOME: join(base, ".state"), XDG_CACHE_HOME: join(base, ".cache") };
}
let scratch: string | undefined;

/** The environment without any model configuration, so a test decides what lmx sees. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(OPENAI_|ANTHROPIC_|LMX_|XDG_STATE_HOME$|XDG_CACHE_HOME$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}
