/**
 * think benchmark: what budget forcing by continuation calls costs on an embedded llama.cpp model (the
 * tiny GGUF the tests write, one thread). A plain call that generates as many tokens as think's thinking
 * and answer together is the same-run baseline; the figures are ratios against it: wall time and prompt
 * tokens evaluated (each continuation re-reads the prompt and the thinking so far; lmx's prompt cache
 * keeps a sequence's evaluation only when the head is unchanged). Seeds where the model stops early
 * (so "Wait" is appended) are included.
 *
 *   node --import tsx bench/think.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createRunContext } from "../src/core/context.ts";
import type { ChatRequest } from "../src/core/types.ts";
import { llamaLM } from "../src/providers/llama/llama-lm.ts";
import { writeTinyGguf } from "../src/providers/llama/testing/write-tiny-gguf.ts";
import { think } from "../src/techniques/think/think.ts";
import type { Span } from "../src/trace/span.ts";

export interface ThinkBenchResult {
  name: "think";
  runs: number;
  mean_calls: number;
  mean_waits: number;
  /** think's wall time / a plain call generating as many completion tokens. */
  time_ratio: number;
  /** Prompt tokens think evaluated / the plain call's. */
  prompt_tokens_ratio: number;
}

export async function run(): Promise<ThinkBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "lmx-bench-think-"));
  const lm = llamaLM({
    model: await writeTinyGguf({ path: join(dir, "tiny.gguf"), seed: 7 }),
    threads: 1,
    contextSize: 512,
  });
  const ask: ChatRequest = { messages: [{ role: "user", content: "What is 6 times 7?" }], max_tokens: 8 };
  let thinkMs = 0;
  let plainMs = 0;
  let thinkPrompt = 0;
  let plainPrompt = 0;
  let calls = 0;
  let waits = 0;
  const seeds = [10, 11, 1, 2, 3, 4];
  try {
    await lm.complete({ ...ask, seed: 0 }); // load the model outside the timings
    for (const seed of seeds) {
      const ctx = createRunContext({ seed });
      let t = performance.now();
      const r = await think(lm, { min_tokens: 60, max_tokens: 80 }).complete(ask, ctx);
      thinkMs += performance.now() - t;
      const span = ctx.span.children[0]!.children.find((s: Span) => s.name === "think")!;
      waits += span.attributes.waits as number;
      calls += r.usage.calls;
      thinkPrompt += r.usage.prompt_tokens;
      t = performance.now();
      const plain = await lm.complete({ ...ask, seed, max_tokens: r.usage.completion_tokens });
      plainMs += performance.now() - t;
      plainPrompt += plain.usage.prompt_tokens;
    }
  } finally {
    await lm.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const result: ThinkBenchResult = {
    name: "think",
    runs: seeds.length,
    mean_calls: calls / seeds.length,
    mean_waits: waits / seeds.length,
    time_ratio: Math.round((thinkMs / plainMs) * 100) / 100,
    prompt_tokens_ratio: Math.round((thinkPrompt / plainPrompt) * 100) / 100,
  };
  console.log(result);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
