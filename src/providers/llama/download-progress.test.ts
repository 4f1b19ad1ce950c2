import assert from "node:assert/strict";
import { test } from "node:test";
import { stderrDownloadProgress } from "./download-progress.ts";

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream };
}

test("without a terminal: one plain line per 10% and a last line", () => {
  const { written, stream } = sink(false);
  const report = stderrDownloadProgress(stream);
  const total = 10 * 1_048_576;
  for (let mb = 0; mb <= 10; mb += 0.5)
    report({ label: "hf:a/b/c.gguf", receivedBytes: mb * 1_048_576, totalBytes: total, done: false });
  report({ label: "hf:a/b/c.gguf", receivedBytes: total, totalBytes: total, done: true });
  assert.equal(written.length, 12);
  assert.ok(written.every((l) => l.endsWith("\n") && !l.includes("\r")));
  assert.equal(written[5], "downloading hf:a/b/c.gguf: 50% (5.0 MB of 10.0 MB)\n");
  assert.equal(written.at(-1), "downloaded hf:a/b/c.gguf: 100% (10.0 MB of 10.0 MB)\n");
});

test("on a terminal: a bar redrawn in place, ended by a newline", () => {
  const { written, stream } = sink(true);
  const report = stderrDownloadProgress(stream);
  report({ label: "m", receivedBytes: 512, totalBytes: 1024, done: false });
  report({ label: "m", receivedBytes: 1024, totalBytes: 1024, done: true });
  assert.ok(written[0]!.startsWith("\rdownloading m [############------------] 50%"));
  assert.ok(written.at(-1)!.endsWith("100% (0.0 MB of 0.0 MB)\n"));
});
