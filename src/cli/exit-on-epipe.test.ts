import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";

// A writer that keeps printing after its reader has gone (as `lmx trace | head` does).
const writer = (handled: boolean) => `
  ${handled ? `const { exitQuietlyOnEpipe } = await import(${JSON.stringify(new URL("./exit-on-epipe.ts", import.meta.url).href)}); exitQuietlyOnEpipe(process.stdout);` : ""}
  const line = "x".repeat(1023) + "\\n";
  for (let i = 0; i < 100000; i++) if (!process.stdout.write(line)) await new Promise((r) => process.stdout.once("drain", r));
`;

async function closeReaderEarly(handled: boolean): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", writer(handled)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.once("data", () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stderr };
}

test("a closed stdout (EPIPE) ends the process quietly with status 0", async () => {
  const { code, stderr } = await closeReaderEarly(true);
  assert.deepEqual({ code, stderr }, { code: 0, stderr: "" });
});

test("without the handler the same run crashes with EPIPE (so the test above can fail)", async () => {
  const { code, stderr } = await closeReaderEarly(false);
  assert.notEqual(code, 0);
  assert.match(stderr, /EPIPE/);
});
