import { spawn, type ChildProcess } from "node:child_process";
import { cleanEnv, lmxNodeArgs, userDirs } from "./run-cli.ts";

export interface ServeProcess {
  /** e.g. `http://127.0.0.1:40123/v1`. */
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** SIGKILL: an instance that dies mid-request, with no chance to clean up. */
  kill(): Promise<void>;
  /** SIGTERM and wait for it to exit. */
  stop(): Promise<void>;
}

/** A real `lmx serve` process on a free port (from the sources, through tsx), started once it prints its URL. */
export async function startServeProcess(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...lmxNodeArgs, "serve", "--port", "0", ...args], {
    cwd: options.cwd,
    env: { ...userDirs(options.cwd), ...cleanEnv(options.env) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`lmx serve did not start: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    const look = () => {
      const found = /listening on (\S+)/.exec(stdout)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on("data", look);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`lmx serve exited (${code}) before listening: ${stderr}`));
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    child,
    stderr: () => stderr,
    async kill() {
      if (alive()) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (alive()) child.kill("SIGTERM");
      await exited;
    },
  };
}
