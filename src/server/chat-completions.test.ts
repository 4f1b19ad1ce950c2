import assert from "node:assert/strict";
import { test } from "node:test";
import { startProxyFixture, UPSTREAM_KEY } from "./testing/proxy-fixture.ts";

test("a pass-through request reaches the upstream unchanged and comes back in the exact OpenAI shape", async () => {
  const f = await startProxyFixture({ reply: () => "Paris.", behaviour: { cachedTokens: 2 } });
  try {
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "lookup",
          description: "look it up",
          parameters: { type: "object", properties: { q: { type: "string" } } },
        },
      },
    ];
    const raw = await f.client.chat.completions
      .create({
        model: "openai:test-model",
        messages: [
          { role: "system", content: "Be brief." },
          {
            role: "user",
            content: [
              { type: "text", text: "Capital of" },
              { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
            ],
          },
          { role: "assistant", content: "Which country?" },
          { role: "user", content: "France" },
        ],
        tools,
        tool_choice: "auto",
        response_format: { type: "json_object" },
        temperature: 0.3,
        top_p: 0.9,
        max_tokens: 50,
        stop: ["\n\n"],
        seed: 7,
        logprobs: true,
        top_logprobs: 2,
        // @ts-expect-error lmx's own field is not in the SDK's types
        lmx: { budget: { calls: 5 } },
      })
      .withResponse();
    const body = raw.data;
    const sent = f.upstream.requests[0]!.body;
    assert.equal(f.upstream.requests.length, 1);
    assert.equal(sent.model, "test-model");
    assert.equal(sent.messages.length, 4);
    assert.deepEqual(sent.messages[1].content[1], {
      type: "image_url",
      image_url: { url: "data:image/png;base64,AAAA" },
    });
    assert.deepEqual(sent.tools, tools);
    assert.deepEqual(sent.response_format, { type: "json_object" });
    for (const [k, v] of Object.entries({
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 50,
      seed: 7,
      logprobs: true,
      top_logprobs: 2,
      tool_choice: "auto",
    }))
      assert.deepEqual(sent[k], v, k);
    assert.deepEqual(sent.stop, ["\n\n"]);
    assert.equal(sent.lmx, undefined, "lmx's field is not forwarded");
    assert.equal(f.upstream.requests[0]!.headers.authorization, `Bearer ${UPSTREAM_KEY}`);

    assert.equal(body.object, "chat.completion");
    assert.equal(body.model, "openai:test-model");
    assert.match(body.id, /^chatcmpl-/);
    assert.equal(typeof body.created, "number");
    assert.equal(body.choices[0]!.message.role, "assistant");
    assert.equal(body.choices[0]!.message.content, "Paris.");
    assert.equal(body.choices[0]!.finish_reason, "stop");
    assert.ok(body.choices[0]!.logprobs?.content?.length, "logprobs came back");
    const reported = f.upstream.reported[0]!;
    assert.deepEqual(body.usage, {
      prompt_tokens: reported.prompt_tokens,
      completion_tokens: reported.completion_tokens,
      total_tokens: reported.prompt_tokens + reported.completion_tokens,
      prompt_tokens_details: { cached_tokens: 2 },
    });
    assert.equal(raw.response.headers.get("x-lmx-calls"), "1");
    const cost = ((reported.prompt_tokens - 2) * 1000 + 2 * 500 + reported.completion_tokens * 2000) / 1e6;
    assert.ok(
      Math.abs(Number(raw.response.headers.get("x-lmx-cost-usd")) - cost) < 1e-9,
      `cost ${raw.response.headers.get("x-lmx-cost-usd")} vs ${cost}`,
    );
    const traceId = raw.response.headers.get("x-lmx-trace-id")!;
    const trace = await (await fetch(`${f.proxy.url}/traces/${traceId}`)).json();
    assert.equal(trace.id, traceId);
    assert.equal(trace.root.total.calls, 1);
    assert.equal(trace.root.children[0].kind, "lm");
  } finally {
    await f.close();
  }
});

test("usage is the sum of every internal call the technique made", async () => {
  const f = await startProxyFixture({ reply: (_r, i) => (i === 1 ? "B" : "A long answer") });
  try {
    const raw = await f.client.chat.completions
      .create({ model: "majority-vote(n=3)@openai:test-model", messages: [{ role: "user", content: "Pick" }] })
      .withResponse();
    const body = raw.data;
    assert.equal(f.upstream.requests.length, 3);
    assert.equal(body.choices[0]!.message.content, "A long answer");
    assert.equal(body.model, "majority-vote(n=3)@openai:test-model");
    const sum = (k: "prompt_tokens" | "completion_tokens" | "cached_tokens") =>
      f.upstream.reported.reduce((s, u) => s + u[k], 0);
    assert.equal(body.usage!.prompt_tokens, sum("prompt_tokens"));
    assert.equal(body.usage!.completion_tokens, sum("completion_tokens"));
    assert.equal(body.usage!.total_tokens, sum("prompt_tokens") + sum("completion_tokens"));
    assert.equal(raw.response.headers.get("x-lmx-calls"), "3");
  } finally {
    await f.close();
  }
});

test("self-consistency(n=3) over an upstream that rejects n: usage is the sum of the three calls it fell back to", async () => {
  const f = await startProxyFixture({
    reply: (_r, i) => (i === 1 ? "The answer is 5." : "The answer is 4."),
    behaviour: { rejectN: true, cachedTokens: 1 },
  });
  try {
    const raw = await f.client.chat.completions
      .create({ model: "self-consistency(n=3)@openai:test-model", messages: [{ role: "user", content: "2+2?" }] })
      .withResponse();
    const body = raw.data;
    assert.equal(body.choices[0]!.message.content, "The answer is 4.");
    assert.equal(f.upstream.requests.length, 4, "one rejected n=3 call, then three single ones");
    assert.equal(f.upstream.reported.length, 3);
    const sum = (k: "prompt_tokens" | "completion_tokens" | "cached_tokens") =>
      f.upstream.reported.reduce((s, u) => s + u[k], 0);
    assert.equal(body.usage!.prompt_tokens, sum("prompt_tokens"));
    assert.equal(body.usage!.completion_tokens, sum("completion_tokens"));
    assert.equal(body.usage!.prompt_tokens_details!.cached_tokens, sum("cached_tokens"));
    assert.equal(raw.response.headers.get("x-lmx-calls"), "3");
  } finally {
    await f.close();
  }
});

test("n>1, an alias, lmx.technique on top of the model, and an empty model using the default", async () => {
  const f = await startProxyFixture({ aliases: { smart: "majority-vote(n=2)@openai:test-model" } });
  try {
    const many = await f.client.chat.completions.create({
      model: "openai:test-model",
      n: 3,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.deepEqual(
      many.choices.map((c) => [c.index, c.message.content]),
      [
        [0, "answer 0"],
        [1, "answer 1"],
        [2, "answer 2"],
      ],
    );
    assert.equal(f.upstream.requests.at(-1)!.body.n, 3);

    const before = f.upstream.requests.length;
    const aliased = await f.client.chat.completions.create({
      model: "smart",
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(aliased.model, "smart");
    assert.equal(f.upstream.requests.length - before, 2);

    const stacked = await f.client.chat.completions.create({
      model: "",
      messages: [{ role: "user", content: "hi" }],
      // @ts-expect-error lmx's own field
      lmx: { technique: "majority-vote(n=4)" },
    });
    assert.equal(stacked.model, "openai:test-model");
    assert.equal(f.upstream.requests.length - before, 6);
  } finally {
    await f.close();
  }
});

test("a tool call comes back as a tool call, and the tool result goes up on the next turn", async () => {
  const f = await startProxyFixture({
    reply: (request) =>
      request.messages.at(-1).role === "tool"
        ? `It is ${JSON.parse(request.messages.at(-1).content).temp} degrees.`
        : { tool_calls: [{ id: "call_1", name: "weather", arguments: { city: "Oslo" } }] },
  });
  try {
    const tools = [
      {
        type: "function" as const,
        function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
      },
    ];
    const messages: any[] = [{ role: "user", content: "Weather in Oslo?" }];
    const first = await f.client.chat.completions.create({ model: "openai:test-model", messages, tools });
    const call = first.choices[0]!.message.tool_calls![0]! as {
      id: string;
      type: "function";
      function: { name: string; arguments: string };
    };
    assert.equal(first.choices[0]!.finish_reason, "tool_calls");
    assert.equal(call.function.name, "weather");
    assert.deepEqual(JSON.parse(call.function.arguments), { city: "Oslo" });
    messages.push(first.choices[0]!.message, {
      role: "tool",
      tool_call_id: call.id,
      content: JSON.stringify({ temp: 12 }),
    });
    const second = await f.client.chat.completions.create({ model: "openai:test-model", messages, tools });
    assert.equal(second.choices[0]!.message.content, "It is 12 degrees.");
    const sent = f.upstream.requests[1]!.body.messages;
    assert.deepEqual(sent[1].tool_calls, first.choices[0]!.message.tool_calls);
    assert.deepEqual(sent[2], { role: "tool", tool_call_id: "call_1", content: '{"temp":12}' });
  } finally {
    await f.close();
  }
});

test("settings a client sends as null mean 'not set', as OpenAI reads them, and do not reach the upstream", async () => {
  const f = await startProxyFixture({ reply: () => "Paris." });
  try {
    const nulls = {
      temperature: null,
      top_p: null,
      n: null,
      max_tokens: null,
      seed: null,
      stop: null,
      logprobs: null,
      presence_penalty: null,
      stream: null,
      stream_options: null,
    };
    const res = await fetch(`${f.proxy.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "openai:test-model",
        messages: [{ role: "user", content: "Capital of France?" }],
        ...nulls,
      }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json();
    assert.equal(body.object, "chat.completion");
    assert.equal(body.choices[0].message.content, "Paris.");
    const sent = f.upstream.requests[0]!.body;
    for (const key of Object.keys(nulls))
      if (key !== "stream" && key !== "stream_options")
        assert.ok(!(key in sent), `${key} reached the upstream as ${JSON.stringify(sent[key])}`);
  } finally {
    await f.close();
  }
});

test("stop sequences are bounded in length on every route that takes them", async () => {
  const f = await startProxyFixture({ reply: () => "ok" });
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${f.proxy.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  const long = "s".repeat(1001);
  try {
    const messages = [{ role: "user", content: "hi" }];
    const chat = await post("/chat/completions", { model: "openai:test-model", messages, stop: [long] });
    assert.equal(chat.status, 400);
    assert.match(chat.body.error.message, /at most 1000 characters/);
    const cmpl = await post("/completions", { model: "openai:test-model", prompt: "hi", stop: long });
    assert.equal(cmpl.status, 400);
    const msgs = await post("/messages", {
      model: "openai:test-model",
      max_tokens: 10,
      messages,
      stop_sequences: [long],
    });
    assert.equal(msgs.status, 400);
    const fine = await post("/chat/completions", { model: "openai:test-model", messages, stop: ["s".repeat(1000)] });
    assert.equal(fine.status, 200);
    assert.equal(f.upstream.requests.length, 1);
  } finally {
    await f.close();
  }
});
