import assert from "node:assert/strict";
import { test } from "node:test";
import type OpenAI from "openai";
import { startProxyFixture } from "../testing/proxy-fixture.ts";

/** Answers with the prompt it was given and the choice's number, so each text shows where it came from. */
const echoing = (request: any, i: number) => `re ${request.messages[0].content} #${i}`;
const sum = (f: { upstream: { reported: { prompt_tokens: number; completion_tokens: number }[] } }) => ({
  prompt: f.upstream.reported.reduce((s, u) => s + u.prompt_tokens, 0),
  completion: f.upstream.reported.reduce((s, u) => s + u.completion_tokens, 0),
});

/** Every chunk of a stream, and the text, finish reason and lmx reason of each choice index. */
async function collect(stream: AsyncIterable<OpenAI.Completions.Completion>) {
  const chunks: OpenAI.Completions.Completion[] = [];
  const texts = new Map<number, string>();
  const finishes = new Map<number, [string, string | undefined]>();
  for await (const chunk of stream) {
    chunks.push(chunk);
    for (const c of chunk.choices) {
      texts.set(c.index, (texts.get(c.index) ?? "") + c.text);
      const lmx = (c as { lmx_finish_reason?: string }).lmx_finish_reason;
      if (c.finish_reason) finishes.set(c.index, [c.finish_reason, lmx]);
    }
  }
  return { chunks, texts, finishes };
}

test("completions.create with a plain model name: one user message upstream, the text_completion shape back", async () => {
  const f = await startProxyFixture({ reply: () => "Paris is the capital.", behaviour: { cachedTokens: 2 } });
  try {
    const { data: r, response } = await f.client.completions
      .create({
        model: "gpt-4o-mini",
        prompt: "The capital of France is",
        max_tokens: 7,
        temperature: 0.2,
        top_p: 0.5,
        stop: ["\n", "###"],
        seed: 42,
        presence_penalty: 0.1,
        frequency_penalty: 0.3,
        logit_bias: { "50256": -100 },
        user: "user-1",
      })
      .withResponse();
    assert.equal(f.upstream.requests.length, 1);
    const sent = f.upstream.requests[0]!.body;
    assert.equal(sent.model, "gpt-4o-mini");
    assert.deepEqual(sent.messages, [{ role: "user", content: "The capital of France is" }]);
    assert.equal(sent.max_tokens, 7);
    assert.equal(sent.temperature, 0.2);
    assert.equal(sent.top_p, 0.5);
    assert.deepEqual(sent.stop, ["\n", "###"]);
    assert.equal(typeof sent.seed, "number");
    assert.equal(sent.presence_penalty, 0.1);
    assert.equal(sent.frequency_penalty, 0.3);
    assert.deepEqual(sent.logit_bias, { "50256": -100 });
    assert.equal(sent.user, "user-1");
    for (const key of ["prompt", "echo", "lmx", "best_of", "suffix"]) assert.ok(!(key in sent), `${key} went upstream`);

    assert.equal(r.object, "text_completion");
    assert.match(r.id, /^cmpl-/);
    assert.equal(r.model, "gpt-4o-mini");
    assert.equal(typeof r.created, "number");
    assert.deepEqual(r.choices, [{ text: "Paris is the capital.", index: 0, logprobs: null, finish_reason: "stop" }]);
    const reported = f.upstream.reported[0]!;
    assert.equal(r.usage!.prompt_tokens, reported.prompt_tokens);
    assert.equal(r.usage!.completion_tokens, reported.completion_tokens);
    assert.equal(r.usage!.total_tokens, reported.prompt_tokens + reported.completion_tokens);
    assert.equal(r.usage!.prompt_tokens_details!.cached_tokens, 2);
    assert.equal(response.headers.get("x-lmx-calls"), "1");
    assert.match(response.headers.get("x-lmx-trace-id") ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(response.headers.get("x-lmx-finish-reason"), null);
  } finally {
    await f.close();
  }
});

test("max_tokens defaults to 16, as in OpenAI's Completions API; nulls mean unset", async () => {
  const f = await startProxyFixture({ reply: () => "ok" });
  try {
    await f.client.completions.create({ model: "openai:test-model", prompt: "hi" });
    await f.client.completions.create({
      model: "openai:test-model",
      prompt: "hi",
      max_tokens: null,
      temperature: null,
      echo: null,
      best_of: null,
      logprobs: null,
      suffix: null,
      logit_bias: null,
      n: null,
      stop: null,
    });
    for (const { body } of f.upstream.requests) {
      assert.equal(body.max_tokens, 16);
      for (const key of ["temperature", "logit_bias", "n", "stop"]) assert.ok(!(key in body), `${key} went upstream`);
    }
  } finally {
    await f.close();
  }
});

test("a technique spec as the model: self-consistency's samples each get the prompt; usage sums every call", async () => {
  const answers = ["The answer is 4.", "The answer is 5.", "The answer is 4."];
  const f = await startProxyFixture({ reply: (_r, i) => answers[i % 3]! });
  try {
    const { data: r, response } = await f.client.completions
      .create({ model: "self-consistency(n=3)@openai:test-model", prompt: "What is 2 + 2?", max_tokens: 50 })
      .withResponse();
    assert.equal(r.model, "self-consistency(n=3)@openai:test-model");
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0]!.text, "The answer is 4.");
    assert.equal(r.choices[0]!.finish_reason, "stop");
    const samples = f.upstream.requests.reduce((s, q) => s + (q.body.n ?? 1), 0);
    assert.equal(samples, 3, "three samples were drawn");
    for (const { body } of f.upstream.requests) {
      assert.equal(body.messages.at(-1).role, "user");
      assert.match(body.messages.at(-1).content, /What is 2 \+ 2\?/);
    }
    const total = sum(f);
    assert.equal(r.usage!.prompt_tokens, total.prompt);
    assert.equal(r.usage!.completion_tokens, total.completion);
    assert.equal(response.headers.get("x-lmx-calls"), String(f.upstream.requests.length));
  } finally {
    await f.close();
  }
});

test("n=2 and an array of prompts: prompt i's choices are at indexes i·n … i·n+n-1, usage summed once", async () => {
  const f = await startProxyFixture({ reply: echoing });
  try {
    const two = await f.client.completions.create({ model: "openai:test-model", prompt: "A", n: 2 });
    assert.deepEqual(
      two.choices.map((c) => [c.index, c.text]),
      [
        [0, "re A #0"],
        [1, "re A #1"],
      ],
    );
    f.upstream.requests.length = 0;
    f.upstream.reported.length = 0;

    const r = await f.client.completions.create({ model: "openai:test-model", prompt: ["A", "B", "C"], n: 2 });
    assert.equal(r.choices.length, 6);
    assert.deepEqual(
      r.choices.map((c) => c.index),
      [0, 1, 2, 3, 4, 5],
    );
    for (const c of r.choices) {
      const prompt = ["A", "B", "C"][Math.floor(c.index / 2)];
      assert.match(c.text, new RegExp(`^re ${prompt} #\\d$`), `choice ${c.index}: ${c.text}`);
    }
    assert.equal(f.upstream.requests.length, 3, "one upstream call per prompt");
    assert.deepEqual(f.upstream.requests.map((q) => q.body.messages[0].content).sort(), ["A", "B", "C"]);
    const total = sum(f);
    assert.equal(r.usage!.prompt_tokens, total.prompt);
    assert.equal(r.usage!.completion_tokens, total.completion);

    // One trace for the request, a span per prompt.
    const traces = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: { id: string }[] };
    const trace = (await (await fetch(`${f.proxy.url}/traces/${traces.data[0]!.id}`)).json()) as {
      root: { children: { name: string; kind: string; status: string; total: { calls: number } }[] };
    };
    assert.deepEqual(
      trace.root.children.map((s) => [s.name, s.kind, s.status, s.total.calls]),
      [
        ["prompt 0", "step", "ok", 1],
        ["prompt 1", "step", "ok", 1],
        ["prompt 2", "step", "ok", 1],
      ],
    );
  } finally {
    await f.close();
  }
});

test("echo puts the prompt before each choice's text, JSON and streamed", async () => {
  const f = await startProxyFixture({ reply: () => " world" });
  try {
    const r = await f.client.completions.create({ model: "openai:test-model", prompt: ["Hello", "Bye"], echo: true });
    assert.deepEqual(
      r.choices.map((c) => c.text),
      ["Hello world", "Bye world"],
    );
    const streamed = await collect(
      await f.client.completions.create({ model: "openai:test-model", prompt: "Hello", echo: true, stream: true }),
    );
    assert.equal(streamed.texts.get(0), "Hello world");
  } finally {
    await f.close();
  }
});

test("streamed: text_completion chunks as the answer arrives, a usage chunk, finish reasons per choice", async () => {
  const f = await startProxyFixture({ reply: (r: any, i) => `one two three ${r.messages[0].content}${i}` });
  try {
    const { chunks, texts, finishes } = await collect(
      await f.client.completions.create({
        model: "openai:test-model",
        prompt: ["x", "y"],
        n: 2,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    for (const c of chunks) {
      assert.equal(c.object, "text_completion");
      assert.match(c.id, /^cmpl-/);
      assert.equal(c.model, "openai:test-model");
    }
    assert.ok(chunks.filter((c) => c.choices.length).length >= 8, "text arrived in pieces");
    assert.deepEqual([...texts.keys()].sort(), [0, 1, 2, 3]);
    for (const [index, text] of texts) assert.match(text, new RegExp(`^one two three ${index < 2 ? "x" : "y"}\\d$`));
    assert.deepEqual(
      [...finishes.values()],
      [
        ["stop", undefined],
        ["stop", undefined],
        ["stop", undefined],
        ["stop", undefined],
      ],
    );
    const last = chunks.at(-1)! as OpenAI.Completions.Completion & { lmx?: { calls: number } };
    assert.deepEqual(last.choices, []);
    const total = sum(f);
    assert.equal(last.usage!.prompt_tokens, total.prompt);
    assert.equal(last.usage!.completion_tokens, total.completion);
    assert.equal(last.lmx!.calls, 2);
    assert.ok(
      chunks.slice(0, -1).every((c) => !c.usage),
      "usage only in the last chunk",
    );

    // Without include_usage there is no usage chunk; lmx's accounting rides on the last chunk.
    const plain = await collect(
      await f.client.completions.create({ model: "openai:test-model", prompt: "z", stream: true }),
    );
    assert.ok(plain.chunks.every((c) => !c.usage));
    assert.equal(plain.chunks.at(-1)!.choices[0]!.finish_reason, "stop");
    assert.equal((plain.chunks.at(-1) as { lmx?: { calls: number } }).lmx!.calls, 1);
  } finally {
    await f.close();
  }
});

test("streamed through a technique: progress rides in chunks with empty choices, the SDK reads the answer", async () => {
  const f = await startProxyFixture({ reply: () => "The answer is 4." });
  try {
    const { chunks, texts, finishes } = await collect(
      await f.client.completions.create({
        model: "majority-vote(n=3)@openai:test-model",
        prompt: ["q1", "q2"],
        stream: true,
      }),
    );
    const progress = chunks
      .map((c) => (c as { lmx?: { progress?: { prompt?: number } } }).lmx?.progress)
      .filter((p) => p !== undefined);
    assert.equal(progress.length, 6, "three samples for each of two prompts");
    assert.deepEqual([...new Set(progress.map((p) => p.prompt))].sort(), [0, 1]);
    assert.equal(texts.get(0), "The answer is 4.");
    assert.equal(texts.get(1), "The answer is 4.");
    assert.deepEqual(finishes.get(1), ["stop", undefined]);
  } finally {
    await f.close();
  }
});

test("reasoning text is never completion text: JSON and streamed carry only the answer", async () => {
  const f = await startProxyFixture({
    reply: () => ({ content: "42", reasoning_content: "6 times 7 is 42", reasoning_tokens: 5 }),
  });
  try {
    const r = await f.client.completions.create({ model: "openai:test-model", prompt: "6 x 7?" });
    assert.equal(r.choices[0]!.text, "42");
    assert.equal(r.usage!.completion_tokens_details!.reasoning_tokens, 5);
    const streamed = await collect(
      await f.client.completions.create({ model: "openai:test-model", prompt: "6 x 7?", stream: true }),
    );
    assert.equal(streamed.texts.get(0), "42");
    assert.ok(!JSON.stringify(streamed.chunks).includes("6 times 7"), "no reasoning in the stream");
  } finally {
    await f.close();
  }
});
