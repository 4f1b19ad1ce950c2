import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult } from "../../core/types.ts";
import { llamaLM } from "./llama-lm.ts";
import { writeTinyGguf } from "./testing/write-tiny-gguf.ts";

// The tiny model writes noise, but real noise: llama.cpp evaluates every token of it.
let dir: string;
let lm: ReturnType<typeof llamaLM>;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lmx-llama-"));
  const model = await writeTinyGguf({ path: path.join(dir, "tiny.gguf"), seed: 7 });
  lm = llamaLM({ model, threads: 1, contextSize: 512 });
});

after(async () => {
  await lm.close();
  await rm(dir, { recursive: true, force: true });
});

const hello: ChatRequest = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hello there" },
  ],
  max_tokens: 8,
};

test("completes a chat request through the model's template with exact token usage", async () => {
  const ctx = createRunContext();
  const r = await lm.complete({ ...hello, seed: 1 }, ctx);
  assert.ok(resultText(r).length > 0);
  // The tiny vocabulary has one token per character and one per ChatML marker, plus BOS.
  const rendered = "system\nBe brief.\nuser\nHello there\nassistant\n";
  assert.equal(r.usage.prompt_tokens, 1 + 5 + rendered.length);
  assert.ok(r.usage.completion_tokens > 0 && r.usage.completion_tokens <= 8);
  const span = ctx.span.children[0]!;
  assert.equal(span.kind, "lm");
  assert.equal(span.name, lm.id);
  assert.equal(span.own.prompt_tokens, r.usage.prompt_tokens);
  assert.equal(span.own.completion_tokens, r.usage.completion_tokens);
  assert.equal(ctx.span.total.calls, 1);
  assert.equal(r.choices[0]!.finish_reason, r.usage.completion_tokens === 8 ? "length" : "stop");
});

test("n=3 with a seed gives distinct samples that the same seed reproduces exactly", async () => {
  const ask = { ...hello, n: 3, seed: 42, temperature: 1 };
  const first = await lm.complete(ask);
  const texts = first.choices.map((c) => c.message.content);
  assert.equal(texts.length, 3);
  assert.ok(new Set(texts).size >= 2, `samples: ${JSON.stringify(texts)}`);
  assert.equal(first.usage.calls, 3);
  // Later samples reuse the evaluated prompt (all but its last token) instead of evaluating it again.
  const perCall = first.usage.prompt_tokens / 3;
  assert.ok(first.usage.cached_tokens >= 2 * (perCall - 1), `cached ${first.usage.cached_tokens}`);
  const again = await lm.complete(ask);
  assert.deepEqual(
    again.choices.map((c) => c.message.content),
    texts,
  );
  const other = await lm.complete({ ...ask, seed: 43 });
  assert.notDeepEqual(
    other.choices.map((c) => c.message.content),
    texts,
  );
});

test("logprobs: one per generated token, each <= 0, with sorted alternatives", async () => {
  const r = await lm.complete({ ...hello, max_tokens: 10, seed: 5, logprobs: true, top_logprobs: 3 });
  const content = r.choices[0]!.logprobs!.content!;
  assert.equal(content.length, r.usage.completion_tokens);
  for (const t of content) {
    assert.ok(Number.isFinite(t.logprob) && t.logprob <= 0, `logprob ${t.logprob}`);
    const alts = t.top_logprobs!.map((a) => a.logprob);
    assert.ok(alts.length >= 1 && alts.length <= 3);
    assert.deepEqual(
      alts,
      [...alts].sort((a, b) => b - a),
    );
  }
  // Greedy decoding picks the most likely token every time.
  const greedy = await lm.complete({ ...hello, max_tokens: 6, temperature: 0, logprobs: true, top_logprobs: 2 });
  for (const t of greedy.choices[0]!.logprobs!.content!) assert.equal(t.logprob, t.top_logprobs![0]!.logprob);
});

test("json_schema output parses and fits the schema; json_object parses", async () => {
  const schema = { type: "object", properties: { a: { type: "integer" } }, required: ["a"] };
  const r = await lm.complete({
    ...hello,
    max_tokens: 48,
    seed: 3,
    response_format: { type: "json_schema", json_schema: { name: "a", schema } },
  });
  const value = JSON.parse(resultText(r)) as { a: unknown };
  assert.equal(typeof value, "object");
  assert.ok(Number.isInteger(value.a), `a = ${String(value.a)} in ${resultText(r)}`);
  assert.equal(r.choices[0]!.finish_reason, "stop");
  // anyOf (as zod and pydantic write unions) constrains output too.
  const union = await lm.complete({
    ...hello,
    max_tokens: 48,
    seed: 3,
    response_format: { type: "json_schema", json_schema: { name: "u", schema: { anyOf: [schema] } } },
  });
  assert.ok(Number.isInteger((JSON.parse(resultText(union)) as { a: unknown }).a), resultText(union));
  // Free JSON lets this model babble inside strings, so this seed is one that closes them in time.
  const o = await lm.complete({
    ...hello,
    max_tokens: 64,
    seed: 1,
    temperature: 0.8,
    response_format: { type: "json_object" },
  });
  assert.equal(o.choices[0]!.finish_reason, "stop");
  assert.equal(typeof JSON.parse(resultText(o)), "object", resultText(o));
});

test("streaming deltas join to the final text", async () => {
  let text = "";
  let deltas = 0;
  let final: ChatResult | undefined;
  for await (const e of lm.stream({ ...hello, max_tokens: 16, seed: 9 })) {
    if (e.type === "delta") {
      text += e.content ?? "";
      deltas++;
    } else if (e.type === "result") final = e.result;
  }
  assert.ok(deltas >= 1);
  assert.equal(text, resultText(final!));
  assert.ok(final!.usage.completion_tokens > 0);
});

test("stop sequences end the text before the stop string", async () => {
  const free = resultText(await lm.complete({ ...hello, max_tokens: 16, temperature: 0 }));
  const stopChar = [...free].slice(1).find((c) => c >= "!" && c <= "~");
  assert.ok(stopChar, `no printable character in ${JSON.stringify(free)}`);
  const r = await lm.complete({ ...hello, max_tokens: 16, temperature: 0, stop: [stopChar] });
  assert.equal(resultText(r), free.slice(0, free.indexOf(stopChar)));
  assert.equal(r.choices[0]!.finish_reason, "stop");
});

test("an abort stops generation with AbortedError", async () => {
  const controller = new AbortController();
  const run = async () => {
    for await (const e of lm.stream(
      { ...hello, max_tokens: 400, temperature: 1, seed: 1 },
      createRunContext({ signal: controller.signal }),
    )) {
      if (e.type === "delta") controller.abort();
      if (e.type === "result") return e.result;
    }
  };
  await assert.rejects(run(), (e) => AbortedError.isInstance(e));
  // The sequence is free again afterwards.
  assert.ok(resultText(await lm.complete({ ...hello, seed: 1 })).length > 0);
});

test("totalTimeoutMs bounds a call: a generation that outlasts it ends with a timeout, not at its own pace", async () => {
  const hurried = llamaLM({ model: path.join(dir, "tiny.gguf"), threads: 1, contextSize: 512, totalTimeoutMs: 1 });
  try {
    await assert.rejects(hurried.complete({ ...hello, max_tokens: 400, temperature: 1, seed: 1 }), (e: Error) =>
      /totalTimeoutMs/.test(e.message),
    );
  } finally {
    await hurried.close();
  }
});

test("requests the model cannot serve are InvalidRequestErrors", async () => {
  const tools = [{ type: "function" as const, function: { name: "f" } }];
  await assert.rejects(
    lm.complete({ ...hello, tools }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "tools",
  );
  const long = { messages: [{ role: "user" as const, content: "x".repeat(600) }] };
  await assert.rejects(lm.complete(long), (e) => InvalidRequestError.isInstance(e) && /context holds/.test(e.message));
});

test("concurrent calls share the one sequence in turn", async () => {
  const results = await Promise.all([1, 2, 3].map((seed) => lm.complete({ ...hello, seed })));
  const solo = await lm.complete({ ...hello, seed: 2 });
  assert.equal(resultText(results[1]!), resultText(solo));
});

test("a token budget caps generation even when the request sets a larger max_completion_tokens", async () => {
  const ctx = createRunContext({ budget: { tokens: 80 } });
  const r = await lm.complete({ ...hello, max_completion_tokens: 400, temperature: 1, seed: 2 }, ctx);
  assert.ok(r.usage.total_tokens <= 80, `spent ${r.usage.total_tokens} of 80 tokens`);
  assert.equal(r.choices[0]!.finish_reason, "length");
});
