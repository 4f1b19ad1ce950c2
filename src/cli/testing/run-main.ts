import { Writable } from "node:stream";
import type { CliIO } from "../cli-io.ts";
import { main } from "../main.ts";

/**
 * Runs `lmx <args>` in this process with its output captured: quicker than the real binary, and
 * the process's own environment and test servers apply.
 */
export async function runMain(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void) =>
    new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) });
  const io = {
    stdin: process.stdin,
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  } as unknown as CliIO;
  const code = await main(["node", "lmx", ...args], io);
  return { code, stdout, stderr };
}
