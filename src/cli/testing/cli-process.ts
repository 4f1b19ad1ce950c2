import { spawn, type ChildProcess } from "node:child_process";
import { cleanEnv, lmxNodeArgs, userDirs } from "./run-cli.ts";

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves once stderr matches (rejects if the process exits first or after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGKILL: a process that dies mid-job with no chance to clean up. */
  kill(): Promise<void>;
  /** SIGTERM and wait for it to exit. */
  stop(): Promise<void>;
}

/** A long-running real `lmx` process (a worker, an eval followed as it goes) from the sources, through tsx. */
export function startCliProcess(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [...lmxNodeArgs, ...args], {
    cwd: options.cwd,
    env: { ...userDirs(options.cwd), ...cleanEnv(options.env) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${pattern}: ${stderr}`)), timeoutMs);
        const look = () => pattern.test(stderr) && finish();
        const gone = () => finish(new Error(`lmx ${args[0]} exited before ${pattern}: ${stderr}`));
        child.stderr!.on("data", look);
        child.once("exit", gone);
        look();
        function finish(error?: Error) {
          clearTimeout(timer);
          child.stderr!.off("data", look);
          child.off("exit", gone);
          if (error) reject(error);
          else resolve();
        }
      });
    },
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
