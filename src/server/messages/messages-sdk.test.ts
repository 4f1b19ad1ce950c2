import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";
import { test } from "node:test";
import { startProxyFixture, UPSTREAM_KEY, type ProxyFixture } from "../testing/proxy-fixture.ts";

/**
 * Conformance of `POST /v1/messages` with the official Anthropic SDK as the client, against a real
 * `lmx serve` app over HTTP in front of the OpenAI and Anthropic test servers.
 */
function sdk(f: ProxyFixture, apiKey = "no-key"): Anthropic {
  return new Anthropic({ baseURL: f.proxy.url.replace(/\/v1$/, ""), apiKey, maxRetries: 0 });
}

const weather: Anthropic.Tool = {
  name: "weather",
  description: "the weather in a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

/** Every field of a Message the SDK types declare, with the types it declares. */
function assertMessageShape(m: Anthropic.Message): void {
  assert.match(m.id, /^msg_/);
  assert.equal(m.type, "message");
  assert.equal(m.role, "assistant");
  assert.ok(Array.isArray(m.content));
  for (const key of ["stop_sequence", "stop_details", "container", "diagnostics"] as const)
    assert.ok(key in m && m[key] === null, `${key} is null`);
  assert.ok(["end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal"].includes(m.stop_reason!));
  for (const key of [
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
  ] as const)
    assert.equal(typeof m.usage[key], "number", key);
  for (const key of ["cache_creation", "server_tool_use", "service_tier", "inference_geo", "speed"] as const)
    assert.ok(key in m.usage, `usage.${key}`);
  for (const block of m.content) {
    if (block.type === "text") assert.ok(typeof block.text === "string" && "citations" in block);
    else if (block.type === "tool_use")
      assert.ok(typeof block.id === "string" && typeof block.name === "string" && typeof block.input === "object");
    else if (block.type === "thinking")
      assert.ok(typeof block.thinking === "string" && typeof block.signature === "string");
    else assert.fail(`unexpected block ${block.type}`);
  }
}

test("messages.create: a plain model answers in Anthropic's shape with the upstream's usage", async () => {
  const f = await startProxyFixture({ reply: () => "Paris.", behaviour: { cachedTokens: 2 } });
  try {
    const { data: m, response } = await sdk(f)
      .messages.create({
        model: "openai:test-model",
        max_tokens: 50,
        system: [{ type: "text", text: "Be brief." }],
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Capital of" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
            ],
          },
          { role: "assistant", content: "Which country?" },
          { role: "user", content: "France" },
        ],
        // Older SDKs send sampling settings; 1.14's types no longer have them.
        ...({ temperature: 0.3, top_p: 0.9 } as object),
        stop_sequences: ["\n\n"],
        metadata: { user_id: "u-1" },
      })
      .withResponse();
    assertMessageShape(m);
    assert.equal(m.model, "openai:test-model");
    assert.deepEqual(m.content, [{ type: "text", text: "Paris.", citations: null }]);
    assert.equal(m.stop_reason, "end_turn");
    const sent = f.upstream.requests[0]!.body;
    assert.deepEqual(sent.messages, [
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
    ]);
    for (const [k, v] of Object.entries({ temperature: 0.3, top_p: 0.9, max_tokens: 50, user: "u-1" }))
      assert.deepEqual(sent[k], v, k);
    assert.deepEqual(sent.stop, ["\n\n"]);
    const reported = f.upstream.reported[0]!;
    assert.equal(m.usage.input_tokens, reported.prompt_tokens - 2);
    assert.equal(m.usage.cache_read_input_tokens, 2);
    assert.equal(m.usage.output_tokens, reported.completion_tokens);
    assert.equal(response.headers.get("x-lmx-calls"), "1");
    // The run is traced like a chat completion, under this route's name.
    const traceId = response.headers.get("x-lmx-trace-id")!;
    const trace = await (await fetch(`${f.proxy.url}/traces/${traceId}`)).json();
    assert.equal(trace.root.name, "POST /v1/messages");
    assert.equal(trace.root.total.calls, 1);
    assert.equal(trace.root.children[0].kind, "lm");
  } finally {
    await f.close();
  }
});

test("a technique spec as the model: every call is counted, and lmx's budget stop is max_tokens", async () => {
  const f = await startProxyFixture({ reply: (_r, i) => (i === 1 ? "B" : "A long answer") });
  try {
    const { data: m, response } = await sdk(f)
      .messages.create({
        model: "majority-vote(n=3)@openai:test-model",
        max_tokens: 20,
        messages: [{ role: "user", content: "Pick" }],
      })
      .withResponse();
    assertMessageShape(m);
    assert.equal(m.model, "majority-vote(n=3)@openai:test-model");
    assert.deepEqual(m.content, [{ type: "text", text: "A long answer", citations: null }]);
    assert.equal(f.upstream.requests.length, 3);
    const sum = (k: "prompt_tokens" | "completion_tokens") => f.upstream.reported.reduce((s, u) => s + u[k], 0);
    assert.equal(m.usage.input_tokens, sum("prompt_tokens"));
    assert.equal(m.usage.output_tokens, sum("completion_tokens"));
    assert.equal(response.headers.get("x-lmx-calls"), "3");

    // Two calls fit (draft and critique); the refinement is cut, so the draft comes back, a budget stop.
    const body = {
      model: "self-refine(rounds=3)@openai:test-model",
      max_tokens: 20,
      messages: [{ role: "user" as const, content: "2+2?" }],
      lmx: { budget: { calls: 2 } },
    };
    const { data: cut, response: res } = await sdk(f).messages.create(body).withResponse();
    assert.equal(cut.stop_reason, "max_tokens");
    assert.equal((cut as any).lmx_finish_reason, "budget");
    assert.equal(res.headers.get("x-lmx-finish-reason"), "budget");
    const streamed = await sdk(f).messages.stream(body).finalMessage();
    assert.equal(streamed.stop_reason, "max_tokens");
    assert.equal(streamed.content.length, 1);
  } finally {
    await f.close();
  }
});

test("messages.stream: text arrives as text_delta events and finalMessage() is the whole message", async () => {
  const text = "one two three four five";
  const f = await startProxyFixture({ reply: () => text, behaviour: { chunkDelayMs: 5, cachedTokens: 1 } });
  try {
    const stream = sdk(f).messages.stream({
      model: "openai:test-model",
      max_tokens: 50,
      messages: [{ role: "user", content: "count" }],
    });
    const pieces: string[] = [];
    stream.on("text", (t) => pieces.push(t));
    const m = await stream.finalMessage();
    assertMessageShape(m);
    assert.ok(pieces.length >= 5, `text came in ${pieces.length} pieces`);
    assert.equal(pieces.join(""), text);
    assert.deepEqual(m.content, [{ type: "text", text, citations: null }]);
    assert.equal(m.stop_reason, "end_turn");
    assert.equal(m.model, "openai:test-model");
    const reported = f.upstream.reported[0]!;
    assert.equal(m.usage.input_tokens, reported.prompt_tokens - 1);
    assert.equal(m.usage.cache_read_input_tokens, 1);
    assert.equal(m.usage.output_tokens, reported.completion_tokens);
  } finally {
    await f.close();
  }
});

test("stream: true gives Anthropic's event sequence, with a technique's progress as pings the SDK skips", async () => {
  const f = await startProxyFixture();
  try {
    const stream = await sdk(f).messages.create({
      model: "majority-vote(n=3)@openai:test-model",
      max_tokens: 50,
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    const types: string[] = [];
    let final: any;
    for await (const event of stream) {
      types.push(event.type === "content_block_delta" ? `${event.type}:${event.delta.type}` : event.type);
      if (event.type === "message_delta") final = event;
    }
    assert.deepEqual(types, [
      "message_start",
      "content_block_start",
      "content_block_delta:text_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    assert.equal(final.delta.stop_reason, "end_turn");
    assert.equal(final.lmx.calls, 3);
    assert.equal(
      final.usage.output_tokens,
      f.upstream.reported.reduce((s, u) => s + u.completion_tokens, 0),
    );

    // The raw wire: every event named on its own `event:` line, pings for progress.
    const res = await fetch(`${f.proxy.url}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "majority-vote(n=3)@openai:test-model",
        max_tokens: 50,
        messages: [{ role: "user", content: "x" }],
        stream: true,
      }),
    });
    assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
    const frames = (await res.text()).split("\n\n").filter(Boolean);
    for (const frame of frames) {
      const [event, data] = frame.split("\n");
      assert.equal(event!.slice(7), JSON.parse(data!.slice(6)).type, frame);
    }
    const progress = frames.map((fr) => JSON.parse(fr.split("\n")[1]!.slice(6))).filter((e) => e.lmx?.progress);
    assert.equal(progress.length, 3);
    assert.ok(progress.every((e) => e.type === "ping"));
  } finally {
    await f.close();
  }
});

test("tools: a tool_use comes back with parsed input, and the tool_result goes up as a tool message", async () => {
  const f = await startProxyFixture({
    reply: (request) =>
      request.messages.some((m: any) => m.role === "tool")
        ? `It is ${/"temp":(\d+)/.exec(request.messages.find((m: any) => m.role === "tool").content)?.[1]} degrees.`
        : { tool_calls: [{ id: "call_1", name: "weather", arguments: { city: "Oslo" } }] },
  });
  try {
    const client = sdk(f);
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Weather in Oslo?" }];
    const first = await client.messages.create({
      model: "openai:test-model",
      max_tokens: 100,
      messages,
      tools: [weather],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
    });
    assertMessageShape(first);
    assert.equal(first.stop_reason, "tool_use");
    const use = first.content.find((b) => b.type === "tool_use")!;
    assert.deepEqual([use.id, use.name, use.input], ["call_1", "weather", { city: "Oslo" }]);
    const sent = f.upstream.requests[0]!.body;
    assert.deepEqual(sent.tools, [
      {
        type: "function",
        function: { name: "weather", description: "the weather in a city", parameters: weather.input_schema },
      },
    ]);
    assert.equal(sent.tool_choice, "required");
    assert.equal(sent.parallel_tool_calls, false);

    messages.push(
      { role: "assistant", content: first.content },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: use.id, content: [{ type: "text", text: JSON.stringify({ temp: 12 }) }] },
          { type: "text", text: "And in words?" },
        ],
      },
    );
    // The streamed tool call, then the answer, through the SDK's stream helper.
    const streamedUse = await client.messages
      .stream({ model: "openai:test-model", max_tokens: 100, messages: messages.slice(0, 1), tools: [weather] })
      .finalMessage();
    assert.equal(streamedUse.stop_reason, "tool_use");
    assert.deepEqual(
      streamedUse.content.map((b) => b.type === "tool_use" && [b.id, b.name, b.input]),
      [["call_1", "weather", { city: "Oslo" }]],
    );
    const second = await client.messages.create({
      model: "openai:test-model",
      max_tokens: 100,
      messages,
      tools: [weather],
    });
    assert.deepEqual(second.content, [{ type: "text", text: "It is 12 degrees.", citations: null }]);
    const up = f.upstream.requests.at(-1)!.body.messages;
    assert.deepEqual(up.slice(1), [
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"temp":12}' },
      { role: "user", content: [{ type: "text", text: "And in words?" }] },
    ]);

    // A failed tool says so; tool_choice tool and none map to their OpenAI forms.
    await client.messages.create({
      model: "openai:test-model",
      max_tokens: 100,
      messages: [
        messages[0]!,
        messages[1]!,
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: use.id, content: "no network", is_error: true }],
        },
      ],
      tools: [weather],
      tool_choice: { type: "tool", name: "weather" },
    });
    const failed = f.upstream.requests.at(-1)!.body;
    assert.deepEqual(failed.messages.at(-1), { role: "tool", tool_call_id: "call_1", content: "Error: no network" });
    assert.deepEqual(failed.tool_choice, { type: "function", function: { name: "weather" } });
  } finally {
    await f.close();
  }
});

test("an Anthropic upstream: thinking comes back as a thinking block, tools round-trip, streamed and not", async () => {
  const f = await startProxyFixture({
    anthropic: {
      reply: (request) =>
        request.messages.at(-1).content.some?.((b: any) => b.type === "tool_result")
          ? { content: "Sunny.", thinking: "The tool said sunny." }
          : {
              thinking: "I should look it up.",
              tool_use: [{ id: "toolu_1", name: "weather", input: { city: "Oslo" } }],
            },
    },
  });
  try {
    const client = sdk(f);
    const ask = {
      model: "anthropic:claude-test",
      max_tokens: 2000,
      thinking: { type: "enabled" as const, budget_tokens: 1024 },
      tools: [weather],
      messages: [{ role: "user" as const, content: "Weather in Oslo?" }],
    };
    const first = await client.messages.create(ask);
    assertMessageShape(first);
    assert.deepEqual(
      first.content.map((b) => b.type),
      ["thinking", "tool_use"],
    );
    assert.equal((first.content[0] as Anthropic.ThinkingBlock).thinking, "I should look it up.");
    assert.deepEqual((first.content[1] as Anthropic.ToolUseBlock).input, { city: "Oslo" });
    assert.equal(first.stop_reason, "tool_use");
    const up = f.anthropic!.requests[0]!.body;
    assert.equal(up.model, "claude-test");
    assert.equal(up.max_tokens, 2000);
    assert.deepEqual(up.tools, [weather]);

    // The driver does not stream thinking yet (reasoning deltas are another change): the block comes
    // whole with the result, after the streamed tool use, so compare without order.
    const streamed = await client.messages.stream(ask).finalMessage();
    const byType = (m: Anthropic.Message) => [...m.content].sort((a, b) => a.type.localeCompare(b.type));
    assert.deepEqual(byType(streamed), byType(first));
    assert.equal(streamed.stop_reason, "tool_use");

    const next = {
      ...ask,
      messages: [
        ...ask.messages,
        { role: "assistant" as const, content: first.content },
        {
          role: "user" as const,
          content: [{ type: "tool_result" as const, tool_use_id: "toolu_1", content: "sunny" }],
        },
      ],
    };
    const second = await client.messages.create(next);
    assert.deepEqual(
      second.content.map((b) => (b.type === "text" ? b.text : b.type === "thinking" ? b.thinking : b.type)),
      ["The tool said sunny.", "Sunny."],
    );
    const sent = f.anthropic!.requests.at(-1)!.body.messages;
    assert.deepEqual(sent.at(-1), {
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }],
    });
    assert.deepEqual(sent.at(-2).content.at(-1), {
      type: "tool_use",
      id: "toolu_1",
      name: "weather",
      input: { city: "Oslo" },
    });
  } finally {
    await f.close();
  }
});

test("thinking settings become the core request's reasoning_effort", async () => {
  const f = await startProxyFixture({ reply: () => "ok" });
  try {
    const client = sdk(f);
    const ask = { model: "openai:test-model", max_tokens: 20000, messages: [{ role: "user" as const, content: "x" }] };
    for (const [thinking, effort] of [
      [{ type: "enabled", budget_tokens: 1024 }, "low"],
      [{ type: "enabled", budget_tokens: 8000 }, "medium"],
      [{ type: "enabled", budget_tokens: 31999 }, "high"],
      [{ type: "enabled", budget_tokens: 32768 }, "xhigh"],
      [{ type: "disabled" }, undefined],
      [undefined, undefined],
    ] as const) {
      await client.messages.create({ ...ask, ...(thinking ? { thinking } : {}) });
      const sent = f.upstream.requests.at(-1)!.body;
      assert.equal(sent.reasoning_effort, effort, JSON.stringify(thinking));
      assert.equal(sent.thinking, undefined, "Anthropic's field is not forwarded as is");
    }
    await client.messages.create({ ...ask, output_config: { effort: "max" } });
    assert.equal(f.upstream.requests.at(-1)!.body.reasoning_effort, "xhigh");
  } finally {
    await f.close();
  }
});

test("countTokens: lmx's estimate of the input, for the same body; unknown models are NotFoundError", async () => {
  const f = await startProxyFixture();
  try {
    const client = sdk(f);
    const short = await client.messages.countTokens({
      model: "openai:test-model",
      messages: [{ role: "user", content: "hi" }],
    });
    const long = await client.messages.countTokens({
      model: "self-consistency(n=3)@openai:test-model",
      system: "Be brief.",
      tools: [weather],
      messages: [{ role: "user", content: "hi ".repeat(400) }],
    });
    assert.ok(short.input_tokens > 0 && short.input_tokens < 20, String(short.input_tokens));
    assert.ok(long.input_tokens > 300, String(long.input_tokens));
    assert.equal((long as any).lmx.estimated, true);
    await assert.rejects(
      client.messages.countTokens({ model: "openai:", messages: [{ role: "user", content: "hi" }] }),
      Anthropic.NotFoundError,
    );
    assert.equal(f.upstream.requests.length, 0, "nothing is called");
  } finally {
    await f.close();
  }
});
