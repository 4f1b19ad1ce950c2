import assert from "node:assert/strict";
import { test } from "node:test";
import type OpenAI from "openai";
import { startProxyFixture } from "../testing/proxy-fixture.ts";

const weather = {
  type: "function" as const,
  name: "get_weather",
  description: "the weather in a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  },
  strict: true,
};

/** Calls get_weather until the conversation holds its output, then answers with it. */
const toolUser = (request: any) => {
  const result = request.messages.find((m: any) => m.role === "tool");
  if (result) return `It is ${result.content} in Paris.`;
  return { tool_calls: [{ id: "call_abc", name: "get_weather", arguments: { city: "Paris" } }] };
};

test("responses.create with a plain model name: output, usage and echoed settings as the SDK reads them", async () => {
  const f = await startProxyFixture({ reply: () => "Bonjour.", behaviour: { cachedTokens: 2 } });
  try {
    const r = await f.client.responses.create({
      model: "gpt-4o-mini",
      instructions: "Answer in French.",
      input: [
        { role: "user", content: [{ type: "input_text", text: "Say hello" }] },
        { role: "assistant", content: [{ type: "output_text", text: "Which way?", annotations: [] }] } as never,
        {
          role: "user",
          content: [
            { type: "input_text", text: "Politely" },
            { type: "input_image", image_url: "data:image/png;base64,AAAA", detail: "low" },
          ],
        },
      ],
      text: {
        format: { type: "json_schema", name: "greeting", schema: { type: "object", properties: {} }, strict: true },
      },
      reasoning: { effort: "low" },
      max_output_tokens: 64,
      temperature: 0.2,
      top_p: 0.5,
      metadata: { app: "test" },
    });
    const sent = f.upstream.requests[0]!.body;
    assert.equal(sent.model, "gpt-4o-mini");
    assert.deepEqual(
      sent.messages.map((m: any) => [m.role, typeof m.content === "string" ? m.content : m.content[0].text]),
      [
        ["system", "Answer in French."],
        ["user", "Say hello"],
        ["assistant", "Which way?"],
        ["user", "Politely"],
      ],
    );
    assert.deepEqual(sent.messages[3].content[1], {
      type: "image_url",
      image_url: { url: "data:image/png;base64,AAAA", detail: "low" },
    });
    assert.deepEqual(sent.response_format, {
      type: "json_schema",
      json_schema: { name: "greeting", schema: { type: "object", properties: {} }, strict: true },
    });
    assert.equal(sent.reasoning_effort, "low");
    assert.equal(sent.temperature, 0.2);
    assert.equal(sent.top_p, 0.5);
    assert.ok(sent.max_completion_tokens === 64 || sent.max_tokens === 64, "the output budget reached the upstream");

    assert.equal(r.object, "response");
    assert.match(r.id, /^resp_/);
    assert.equal(r.status, "completed");
    assert.equal(r.model, "gpt-4o-mini");
    assert.equal(r.output_text, "Bonjour.");
    assert.equal(r.output.length, 1);
    const message = r.output[0] as OpenAI.Responses.ResponseOutputMessage;
    assert.equal(message.type, "message");
    assert.equal(message.role, "assistant");
    assert.match(message.id, /^msg_/);
    const reported = f.upstream.reported[0]!;
    assert.equal(r.usage!.input_tokens, reported.prompt_tokens);
    assert.equal(r.usage!.output_tokens, reported.completion_tokens);
    assert.equal(r.usage!.total_tokens, reported.prompt_tokens + reported.completion_tokens);
    assert.equal(r.usage!.input_tokens_details.cached_tokens, 2);
    assert.equal(r.usage!.output_tokens_details.reasoning_tokens, 0);
    assert.equal(r.reasoning?.effort, "low");
    assert.equal(r.max_output_tokens, 64);
    assert.deepEqual(r.metadata, { app: "test" });
    assert.equal(r.instructions, "Answer in French.");
  } finally {
    await f.close();
  }
});

test("a function tool round trip: the call comes back as an item, its output continues by previous_response_id", async () => {
  const f = await startProxyFixture({ reply: toolUser });
  try {
    const first = await f.client.responses.create({
      model: "gpt-4o-mini",
      input: "Weather in Paris?",
      tools: [weather],
      tool_choice: { type: "function", name: "get_weather" },
      parallel_tool_calls: false,
    });
    assert.deepEqual(f.upstream.requests[0]!.body.tool_choice, { type: "function", function: { name: "get_weather" } });
    assert.equal(f.upstream.requests[0]!.body.parallel_tool_calls, false);
    assert.deepEqual(first.tool_choice, { type: "function", name: "get_weather" });
    assert.deepEqual(f.upstream.requests[0]!.body.tools, [
      {
        type: "function",
        function: {
          name: "get_weather",
          description: weather.description,
          parameters: weather.parameters,
          strict: true,
        },
      },
    ]);
    const call = first.output.find((o) => o.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;
    assert.ok(call, JSON.stringify(first.output));
    assert.equal(call.call_id, "call_abc");
    assert.equal(call.name, "get_weather");
    assert.deepEqual(JSON.parse(call.arguments), { city: "Paris" });
    assert.match(call.id!, /^fc_/);
    assert.equal(first.output_text, "");

    const second = await f.client.responses.create({
      model: "gpt-4o-mini",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: "sunny" }],
      tools: [weather],
    });
    assert.equal(second.output_text, "It is sunny in Paris.");
    assert.equal(second.previous_response_id, first.id);
    const messages = f.upstream.requests[1]!.body.messages;
    assert.deepEqual(
      messages.map((m: any) => m.role),
      ["user", "assistant", "tool"],
    );
    assert.equal(messages[1].tool_calls[0].id, "call_abc");
    assert.equal(messages[2].tool_call_id, "call_abc");

    // The same conversation sent whole, without a stored response, reads the same.
    const whole = await f.client.responses.create({
      model: "gpt-4o-mini",
      store: false,
      input: [
        { role: "user", content: "Weather in Paris?" },
        { type: "function_call", call_id: "call_abc", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_abc", output: "sunny" },
      ],
    });
    assert.equal(whole.output_text, "It is sunny in Paris.");
    assert.equal((whole as { store?: boolean }).store, false);
    await assert.rejects(
      f.client.responses.create({ model: "gpt-4o-mini", previous_response_id: whole.id, input: "more" }),
      (e: any) => e.status === 404 && e.code === "previous_response_not_found",
      "an unstored response cannot be continued",
    );
  } finally {
    await f.close();
  }
});

test("responses.stream through a technique spec: the event sequence, numbered, adds up to the final response", async () => {
  const f = await startProxyFixture({ reply: () => "Forty two is the answer" });
  try {
    const stream = f.client.responses.stream({ model: "majority-vote(n=3)@openai:test-model", input: "6 x 7?" });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const final = await stream.finalResponse();
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
      "sequence numbers count up from 0",
    );
    assert.deepEqual(
      [...new Set(events.map((e) => e.type))],
      [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
      ],
    );
    const deltas = events.filter((e) => e.type === "response.output_text.delta").map((e) => (e as any).delta);
    assert.equal(deltas.join(""), "Forty two is the answer");
    assert.equal(final.output_text, "Forty two is the answer");
    assert.equal(final.status, "completed");
    assert.equal(final.model, "majority-vote(n=3)@openai:test-model");
    assert.equal(f.upstream.requests.length, 3);
    assert.equal(
      final.usage!.output_tokens,
      f.upstream.reported.reduce((s, u) => s + u.completion_tokens, 0),
      "usage counts every call the technique made",
    );
    const created = events[0] as OpenAI.Responses.ResponseCreatedEvent;
    assert.equal(created.response.id, final.id);
    assert.equal(created.response.status, "in_progress");
  } finally {
    await f.close();
  }
});

test("a streamed function call: arguments arrive as deltas and the final item holds them whole", async () => {
  const f = await startProxyFixture({ reply: toolUser });
  try {
    const stream = f.client.responses.stream({ model: "gpt-4o-mini", input: "Weather?", tools: [weather] });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const final = await stream.finalResponse();
    const deltas = events.filter((e) => e.type === "response.function_call_arguments.delta") as any[];
    assert.ok(deltas.length > 1, "arguments came in pieces");
    const done = events.find((e) => e.type === "response.function_call_arguments.done") as any;
    assert.equal(deltas.map((d) => d.delta).join(""), done.arguments);
    assert.deepEqual(JSON.parse(done.arguments), { city: "Paris" });
    const call = final.output.find((o) => o.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;
    assert.equal(call.call_id, "call_abc");
    assert.equal(call.arguments, done.arguments);
    assert.equal(done.item_id, call.id);
  } finally {
    await f.close();
  }
});

test("a length stop is incomplete for max_output_tokens; a budget stop too, with lmx's reason apart and in the trace", async () => {
  const f = await startProxyFixture({ reply: () => ({ content: "cut", finish_reason: "length" }) });
  try {
    const r = await f.client.responses.create({ model: "gpt-4o-mini", input: "long story", max_output_tokens: 1 });
    assert.equal(r.status, "incomplete");
    assert.deepEqual(r.incomplete_details, { reason: "max_output_tokens" });
    assert.equal(r.output_text, "cut");

    // self-refine answers, then runs out of calls mid-refinement: its best answer so far, stopped by the budget.
    const { data, response } = await f.client.responses
      .create({
        model: "self-refine(rounds=3)@openai:test-model",
        input: "hi",
        // @ts-expect-error lmx's own field
        lmx: { budget: { calls: 2 } },
      })
      .withResponse();
    assert.equal(data.status, "incomplete");
    assert.deepEqual(data.incomplete_details, { reason: "max_output_tokens" });
    assert.equal((data as any).lmx_finish_reason, "budget");
    assert.equal(response.headers.get("x-lmx-finish-reason"), "budget");
    const traces = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: { status: string }[] };
    assert.equal(traces.data[0]!.status, "budget");
  } finally {
    await f.close();
  }
});

test("reasoning text comes back as a reasoning item, before the message", async () => {
  const f = await startProxyFixture({ reply: () => ({ content: "42", extra: { reasoning_content: "6 times 7" } }) });
  try {
    const r = await f.client.responses.create({ model: "gpt-4o-mini", input: "6 x 7?", reasoning: { effort: "high" } });
    assert.deepEqual(
      r.output.map((o) => o.type),
      ["reasoning", "message"],
    );
    const reasoning = r.output[0] as OpenAI.Responses.ResponseReasoningItem;
    assert.deepEqual(reasoning.summary, [{ type: "summary_text", text: "6 times 7" }]);
    assert.equal(r.output_text, "42");
    const streamed = await f.client.responses.stream({ model: "gpt-4o-mini", input: "6 x 7?" }).finalResponse();
    const item = streamed.output.find((o) => o.type === "reasoning") as OpenAI.Responses.ResponseReasoningItem;
    assert.equal(item.summary[0]!.text, "6 times 7");
  } finally {
    await f.close();
  }
});

test("chat.completions through the SDK with a plain model name and tools, streamed and not", async () => {
  const f = await startProxyFixture({ reply: toolUser });
  try {
    const tools = [{ type: "function" as const, function: { name: weather.name, parameters: weather.parameters } }];
    const r = await f.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Weather?" }],
      tools,
    });
    assert.equal(r.choices[0]!.finish_reason, "tool_calls");
    assert.equal(r.choices[0]!.message.tool_calls![0]!.id, "call_abc");
    const stream = await f.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Weather?" }],
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = "";
    let finish: string | null | undefined;
    let usage: unknown;
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        args += c.delta.tool_calls?.[0]?.function?.arguments ?? "";
        finish = c.finish_reason ?? finish;
      }
      usage = chunk.usage ?? usage;
    }
    assert.deepEqual(JSON.parse(args), { city: "Paris" });
    assert.equal(finish, "tool_calls");
    assert.ok(usage);
    assert.ok(f.upstream.requests.every((q) => q.body.model === "gpt-4o-mini"));
  } finally {
    await f.close();
  }
});

test("lmx.technique applies as on chat completions; a streamed budget stop ends with response.incomplete", async () => {
  const f = await startProxyFixture({ reply: () => "Same answer" });
  try {
    const r = await f.client.responses.create({
      model: "gpt-4o-mini",
      input: "hi",
      // @ts-expect-error lmx's own field
      lmx: { technique: "majority-vote(n=3)" },
    });
    assert.equal(r.output_text, "Same answer");
    assert.equal(f.upstream.requests.length, 3);
    assert.ok(f.upstream.requests.every((q) => q.body.model === "gpt-4o-mini" && q.body.lmx === undefined));

    const stream = f.client.responses.stream({
      model: "self-refine(rounds=3)@openai:test-model",
      input: "hi",
      // lmx's own field (the stream helper's parameter type lets extra fields through)
      lmx: { budget: { calls: 2 } },
    } as never);
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    assert.equal(types.at(-1), "response.incomplete");
    const final = await stream.finalResponse();
    assert.equal(final.status, "incomplete");
    assert.equal((final as any).lmx_finish_reason, "budget");
  } finally {
    await f.close();
  }
});

test("a client that leaves a streamed response finds its trace marked aborted", async () => {
  const f = await startProxyFixture({ reply: () => "one two three four five six", behaviour: { delayMs: 300 } });
  try {
    const controller = new AbortController();
    const stream = f.client.responses.stream(
      { model: "majority-vote(n=4)@openai:test-model", input: "hi" },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 150);
    await assert.rejects(async () => {
      for await (const _ of stream);
    });
    let status: string | undefined;
    for (let i = 0; i < 50 && status === undefined; i++) {
      const traces = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: { status: string }[] };
      status = traces.data[0]?.status;
      if (status === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, "aborted");
  } finally {
    await f.close();
  }
});

test("the wire format: each event names its type in `event:` and `data:`, progress rides in comments", async () => {
  const f = await startProxyFixture({ reply: () => "ok then" });
  try {
    const res = await fetch(`${f.proxy.url}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "majority-vote(n=2)@openai:test-model", input: "hi", stream: true }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
    assert.ok(res.headers.get("x-lmx-trace-id"));
    const frames = (await res.text()).split("\n\n").filter(Boolean);
    const progress = frames.filter((f) => f.startsWith(": lmx progress "));
    assert.equal(progress.length, 2, "one comment per sample");
    const events = frames
      .filter((f) => !f.startsWith(":"))
      .map((f) => {
        const [event, data, ...rest] = f.split("\n");
        assert.equal(rest.length, 0, f);
        const parsed = JSON.parse(data!.replace(/^data: /, ""));
        assert.equal(event, `event: ${parsed.type}`);
        return parsed;
      });
    assert.equal(events.at(-1).type, "response.completed");
    assert.equal(events.at(-1).response.usage.output_tokens > 0, true);
  } finally {
    await f.close();
  }
});
