import assert from "node:assert/strict";
import { test } from "node:test";
import { startProxyFixture } from "./testing/proxy-fixture.ts";

/** Raw SSE events of a streaming request, as sent. */
async function rawEvents(url: string, body: unknown): Promise<{ headers: Headers; events: any[] }> {
  const res = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const events = text
    .split("\n\n")
    .filter(Boolean)
    .map((block) => {
      assert.match(block, /^data: /);
      const data = block.slice(6);
      return data === "[DONE]" ? data : JSON.parse(data);
    });
  return { headers: res.headers, events };
}

test("the SDK streams the answer as it is generated, with a final usage chunk for include_usage", async () => {
  const text = "one two three four five";
  const f = await startProxyFixture({ reply: () => text, behaviour: { chunkDelayMs: 5 } });
  try {
    const stream = await f.client.chat.completions.create({
      model: "openai:test-model",
      messages: [{ role: "user", content: "count" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks[0]!.choices[0]!.delta.role, "assistant");
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
    assert.ok(contentChunks.length >= 5, `text came in ${contentChunks.length} pieces`);
    assert.equal(contentChunks.map((c) => c.choices[0]!.delta.content).join(""), text);
    assert.ok(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "openai:test-model"));
    assert.equal(chunks.find((c) => c.choices[0]?.finish_reason)!.choices[0]!.finish_reason, "stop");
    const last = chunks.at(-1)! as any;
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.completion_tokens, f.upstream.reported[0]!.completion_tokens);
    assert.equal(last.usage.prompt_tokens, f.upstream.reported[0]!.prompt_tokens);
    assert.equal(last.usage.prompt_tokens_details.cached_tokens, 0);
    assert.equal(last.lmx.calls, 1);
    assert.equal(typeof last.lmx.trace_id, "string");
  } finally {
    await f.close();
  }
});

test("raw SSE: role first, progress in lmx fields, usage of all calls, [DONE] last, trace id header", async () => {
  const f = await startProxyFixture();
  try {
    const { headers, events } = await rawEvents(f.proxy.url, {
      model: "majority-vote(n=3)@openai:test-model",
      messages: [{ role: "user", content: "x" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(events.at(-1), "[DONE]");
    assert.deepEqual(events[0].choices[0].delta, { role: "assistant", content: "" });
    const progress = events.filter((e) => e !== "[DONE]" && e.lmx?.progress);
    assert.equal(progress.length, 3);
    assert.ok(progress.every((e) => e.choices.length === 0 && e.lmx.progress.technique === "majority-vote"));
    const usage = events.at(-2);
    assert.equal(
      usage.usage.completion_tokens,
      f.upstream.reported.reduce((s, u) => s + u.completion_tokens, 0),
    );
    assert.equal(usage.lmx.calls, 3);
    assert.equal(usage.lmx.trace_id, headers.get("x-lmx-trace-id"));
  } finally {
    await f.close();
  }
});

test("raw SSE with n=2: each choice opens with its role and closes with its finish reason", async () => {
  const f = await startProxyFixture();
  try {
    const { events } = await rawEvents(f.proxy.url, {
      model: "openai:test-model",
      n: 2,
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    const chunks = events.filter((e) => e !== "[DONE]");
    for (const index of [0, 1]) {
      const mine = chunks.filter((c) => c.choices[0]?.index === index);
      assert.equal(mine[0].choices[0].delta.role, "assistant");
      assert.equal(mine.map((c) => c.choices[0].delta.content ?? "").join(""), `answer ${index}`);
      assert.equal(mine.at(-1).choices[0].finish_reason, "stop");
    }
    assert.ok(chunks.at(-1).lmx.calls === 1, "accounting rides on the last chunk without include_usage");
  } finally {
    await f.close();
  }
});

test("progress chunks do not disturb the SDK and a technique's answer streams whole", async () => {
  const f = await startProxyFixture({ reply: () => "forty two" });
  try {
    const stream = await f.client.chat.completions.create({
      model: "majority-vote(n=2)@openai:test-model",
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(text, "forty two");
    assert.equal(finish, "stop");
    const final = await f.client.chat.completions
      .stream({ model: "majority-vote(n=2)@openai:test-model", messages: [{ role: "user", content: "x" }] })
      .finalChatCompletion();
    assert.equal(final.choices[0]!.message.content, "forty two");
  } finally {
    await f.close();
  }
});

test("a technique whose last stage streams (re2) forwards that stage's deltas one by one", async () => {
  const text = "alpha beta gamma delta epsilon";
  const f = await startProxyFixture({ reply: () => text });
  try {
    const { events } = await rawEvents(f.proxy.url, {
      model: "re2@openai:test-model",
      messages: [{ role: "user", content: "Why?" }],
      stream: true,
    });
    const content = events
      .filter((e) => e !== "[DONE]" && e.choices[0]?.delta.content)
      .map((e) => e.choices[0].delta.content);
    assert.ok(content.length >= 5, `${content.length} content chunks`);
    assert.equal(content.join(""), text);
    assert.equal(f.upstream.requests[0]!.body.stream, true, "the upstream call itself streamed");
    assert.match(f.upstream.requests[0]!.body.messages.at(-1).content, /Read the question again: Why\?/);
  } finally {
    await f.close();
  }
});

test("a streamed tool call arrives as tool_call deltas with finish_reason tool_calls", async () => {
  const f = await startProxyFixture({
    reply: () => ({ tool_calls: [{ id: "call_9", name: "add", arguments: { a: 1, b: 2 } }] }),
  });
  try {
    const runner = f.client.chat.completions.stream({
      model: "openai:test-model",
      messages: [{ role: "user", content: "1+2" }],
      tools: [{ type: "function", function: { name: "add", parameters: { type: "object" } } }],
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]! as {
      id: string;
      function: { name: string; arguments: string };
    };
    assert.equal(final.choices[0]!.finish_reason, "tool_calls");
    assert.equal(call.id, "call_9");
    assert.equal(call.function.name, "add");
    assert.deepEqual(JSON.parse(call.function.arguments), { a: 1, b: 2 });
  } finally {
    await f.close();
  }
});

test("a client that disconnects aborts the upstream request and starts no further calls", async () => {
  const f = await startProxyFixture({ reply: () => "a b c d e f g h i j", behaviour: { chunkDelayMs: 40 } });
  try {
    const controller = new AbortController();
    const stream = await f.client.chat.completions.create(
      { model: "openai:test-model", messages: [{ role: "user", content: "x" }], stream: true },
      { signal: controller.signal },
    );
    let pieces = 0;
    // The SDK ends the iteration quietly on its own abort.
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content && ++pieces === 2) controller.abort();
    assert.equal(pieces, 2);
    await waitFor(() => f.upstream.requests[0]!.closedEarly);
    assert.equal(f.upstream.reported.length, 0, "the upstream never finished its answer");

    // Non-streaming: a technique mid-run stops when its client leaves.
    f.upstream.behaviour.delayMs = 300;
    const gone = new AbortController();
    const pending = f.client.chat.completions.create(
      { model: "majority-vote(n=2)@openai:test-model", messages: [{ role: "user", content: "x" }] },
      { signal: gone.signal },
    );
    await waitFor(() => f.upstream.requests.length === 3);
    gone.abort();
    await assert.rejects(pending);
    await waitFor(() => f.upstream.requests.slice(1).every((r) => r.closedEarly));
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(f.upstream.requests.length, 3, "no call started after the client left");
    await waitFor(() => f.proxy.gate.active === 0);
  } finally {
    await f.close();
  }
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
