import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "../../config/config-schema.ts";
import type { ChatRequest } from "../../core/types.ts";
import { defineProvider } from "../../providers/define-provider.ts";
import type { DriverResult, DriverStreamEvent, ProviderDriver } from "../../providers/provider-driver.ts";
import { defaultRegistry } from "../../techniques/registry.ts";
import { startServer, type RunningServer } from "../start-server.ts";

/**
 * The Anthropic event stream for what the OpenAI test server cannot send: reasoning deltas, kinds of
 * content interleaved, tool arguments that are no JSON object. The model is a driver that streams a
 * script, behind the real accounting path and the real server.
 */
type Step = Exclude<DriverStreamEvent, { type: "done" }>;

function scriptedStream(steps: Step[], result: DriverResult["choices"][0]["message"]): ProviderDriver {
  const done = (): DriverResult => ({
    choices: [{ index: 0, message: result, finish_reason: result.tool_calls ? "tool_calls" : "stop" }],
    usage: { prompt_tokens: 7, completion_tokens: 5 },
  });
  return {
    provider: "script",
    model: "m",
    capabilities: { nativeN: false, logprobs: false, tools: true, streaming: true, constrainedOutput: false },
    complete: async () => done(),
    async *stream() {
      for (const step of steps) yield step;
      yield { type: "done", result: done() };
    },
  };
}

async function serve(driver: ProviderDriver): Promise<{ server: RunningServer; client: Anthropic }> {
  const lm = defineProvider(driver);
  const server = await startServer({
    config: { ...configSchema.parse({}), env: {} },
    resolveModel: () => lm,
    registry: defaultRegistry(),
    server: { allowProviders: ["script"] },
    port: 0,
  });
  const client = new Anthropic({ baseURL: server.url.replace(/\/v1$/, ""), apiKey: "k", maxRetries: 0 });
  return { server, client };
}

const ask = { model: "script:m", max_tokens: 100, messages: [{ role: "user" as const, content: "x" }] };

test("reasoning deltas stream as a thinking block before the text; finalMessage() has both", async () => {
  const { server, client } = await serve(
    scriptedStream(
      [
        { type: "delta", index: 0, reasoning: "Let me " },
        { type: "delta", index: 0, reasoning: "think." },
        { type: "delta", index: 0, content: "Four" },
        { type: "delta", index: 0, content: "." },
      ],
      { role: "assistant", content: "Four.", reasoning_content: "Let me think." },
    ),
  );
  try {
    const stream = client.messages.stream(ask);
    const events: string[] = [];
    stream.on("streamEvent", (e) =>
      events.push(
        e.type === "content_block_delta"
          ? e.delta.type
          : e.type === "content_block_start"
            ? `start:${e.content_block.type}`
            : e.type,
      ),
    );
    const thinking: string[] = [];
    stream.on("thinking", (delta) => thinking.push(delta));
    const m = await stream.finalMessage();
    assert.deepEqual(events, [
      "message_start",
      "start:thinking",
      "thinking_delta",
      "thinking_delta",
      "content_block_stop",
      "start:text",
      "text_delta",
      "text_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    assert.deepEqual(thinking, ["Let me ", "think."]);
    assert.deepEqual(m.content, [
      { type: "thinking", thinking: "Let me think.", signature: "" },
      { type: "text", text: "Four.", citations: null },
    ]);
    assert.deepEqual([m.usage.input_tokens, m.usage.output_tokens], [7, 5]);
    // Not streamed: the same blocks.
    const whole = await client.messages.create(ask);
    assert.deepEqual(whole.content, m.content);
  } finally {
    await server.close();
  }
});

test("streamed tool calls: each its own tool_use block, input from input_json_delta fragments", async () => {
  const calls = [
    { id: "call_a", type: "function" as const, function: { name: "f", arguments: '{"x":1}' } },
    { id: "call_b", type: "function" as const, function: { name: "g", arguments: '{"y":[2]}' } },
  ];
  const { server, client } = await serve(
    scriptedStream(
      [
        { type: "delta", index: 0, content: "Calling." },
        {
          type: "delta",
          index: 0,
          tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "f" } }],
        },
        { type: "delta", index: 0, tool_calls: [{ index: 0, function: { arguments: '{"x"' } }] },
        { type: "delta", index: 0, tool_calls: [{ index: 0, function: { arguments: ":1}" } }] },
        {
          type: "delta",
          index: 0,
          tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "g", arguments: '{"y":[2]}' } }],
        },
      ],
      { role: "assistant", content: "Calling.", tool_calls: calls },
    ),
  );
  try {
    const m = await client.messages.stream(ask).finalMessage();
    assert.equal(m.stop_reason, "tool_use");
    assert.deepEqual(
      m.content.map((b) => (b.type === "tool_use" ? [b.id, b.name, b.input] : b.type)),
      ["text", ["call_a", "f", { x: 1 }], ["call_b", "g", { y: [2] }]],
    );
  } finally {
    await server.close();
  }
});

test("interleaved tool-call fragments each reach their own tool_use block", async () => {
  const calls = [
    { id: "call_a", type: "function" as const, function: { name: "f", arguments: '{"x":1}' } },
    { id: "call_b", type: "function" as const, function: { name: "g", arguments: '{"y":2}' } },
  ];
  const { server, client } = await serve(
    scriptedStream(
      [
        {
          type: "delta",
          index: 0,
          tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "f" } }],
        },
        {
          type: "delta",
          index: 0,
          tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "g" } }],
        },
        { type: "delta", index: 0, tool_calls: [{ index: 0, function: { arguments: '{"x":1}' } }] },
        { type: "delta", index: 0, tool_calls: [{ index: 1, function: { arguments: '{"y":2}' } }] },
      ],
      { role: "assistant", content: null, tool_calls: calls },
    ),
  );
  try {
    const m = await client.messages.stream(ask).finalMessage();
    assert.deepEqual(
      m.content.map((b) => b.type === "tool_use" && [b.id, b.input]),
      [
        ["call_a", { x: 1 }],
        ["call_b", { y: 2 }],
      ],
    );
  } finally {
    await server.close();
  }
});

test("an answer that arrives whole (nothing streamed) is sent as whole blocks", async () => {
  const calls = [{ id: "call_a", type: "function" as const, function: { name: "f", arguments: '{"x":1}' } }];
  const { server, client } = await serve(
    scriptedStream([], { role: "assistant", content: "Hi.", reasoning_content: "Hm.", tool_calls: calls }),
  );
  try {
    const m = await client.messages.stream(ask).finalMessage();
    assert.deepEqual(
      m.content.map((b) => b.type),
      ["thinking", "text", "tool_use"],
    );
    assert.deepEqual((m.content[2] as Anthropic.ToolUseBlock).input, { x: 1 });
  } finally {
    await server.close();
  }
});

test("tool arguments that are no JSON object fail clearly, as an error and not as a broken tool_use", async () => {
  const calls = [{ id: "call_a", type: "function" as const, function: { name: "f", arguments: "[1, 2" } }];
  const { server, client } = await serve(scriptedStream([], { role: "assistant", content: null, tool_calls: calls }));
  try {
    await assert.rejects(client.messages.create(ask), (e: unknown) => {
      assert.ok(e instanceof Anthropic.InternalServerError, String(e));
      assert.equal(e.status, 502);
      assert.match(e.apiMessage!, /not a JSON object/);
      return true;
    });
    await assert.rejects(client.messages.stream(ask).finalMessage(), (e: unknown) => {
      assert.ok(e instanceof Anthropic.APIError, String(e));
      assert.match(String((e as InstanceType<typeof Anthropic.APIError>).apiMessage), /not a JSON object/);
      return true;
    });
  } finally {
    await server.close();
  }
});

test("the request reaches the model as the core's OpenAI shape", async () => {
  let seen: ChatRequest | undefined;
  const driver = scriptedStream([], { role: "assistant", content: "ok" });
  const { server, client } = await serve({
    ...driver,
    complete: async (request, o) => {
      seen = request;
      return driver.complete(request, o);
    },
  });
  try {
    await client.messages.create({
      ...ask,
      system: "S",
      // Older SDKs send top_k; 1.14's types no longer have it.
      ...({ top_k: 5 } as object),
      messages: [
        { role: "user", content: [{ type: "image", source: { type: "url", url: "https://example.com/a.png" } }] },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "T", signature: "sig" },
            { type: "redacted_thinking", data: "opaque" },
            { type: "text", text: "A" },
          ],
        },
        { role: "user", content: "B" },
      ],
    });
    assert.deepEqual(seen!.messages, [
      { role: "system", content: "S" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] },
      { role: "assistant", content: "A", reasoning_content: "T" },
      { role: "user", content: "B" },
    ]);
    assert.equal(seen!.top_k, 5);
    assert.equal(seen!.max_tokens, 100);
  } finally {
    await server.close();
  }
});
