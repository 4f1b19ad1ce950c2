import assert from "node:assert/strict";
import { test } from "node:test";
import type OpenAI from "openai";
import { startProxyFixture } from "../../server/testing/proxy-fixture.ts";

type Req = {
  messages: { role: string; content?: string | null; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
};

/**
 * Through `lmx serve` with the official openai client: the tools technique runs lmx's calculator
 * itself but hands the client's own tool call back to the client, as a plain OpenAI model would,
 * and restores its own round when the client continues the conversation.
 */
test("via the proxy: lmx's tool runs inside, the client's tool call comes back to the client", async () => {
  const f = await startProxyFixture({
    reply: (request: Req) => {
      const tools = request.messages.filter((m) => m.role === "tool");
      if (tools.length === 0)
        return {
          content: null,
          tool_calls: [{ id: "calc-1", name: "calculator", arguments: { expression: "12 * 7" } }],
        };
      if (tools.length === 1)
        return { content: null, tool_calls: [{ id: "weather-1", name: "get_weather", arguments: { city: "Oslo" } }] };
      return `${tools[0]!.content} apples; the weather is ${tools[1]!.content}.`;
    },
  });
  try {
    const weather: OpenAI.ChatCompletionTool = {
      type: "function",
      function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
    };
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: "user", content: "How many apples in 12 boxes of 7, and the weather in Oslo?" },
    ];
    const model = "tools(tools=[calculator])@openai:test-model";
    const first = await f.client.chat.completions.create({ model, messages, tools: [weather] });
    const choice = first.choices[0]!;
    assert.equal(choice.finish_reason, "tool_calls");
    assert.deepEqual(choice.message.tool_calls, [
      { id: "weather-1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
    ]);
    const upstream = f.upstream.requests.map((r) => r.body as Req);
    assert.equal(upstream.length, 2, "the calculator round ran inside lmx");
    assert.deepEqual(
      upstream[0]!.tools!.map((t) => t.function.name),
      ["get_weather", "calculator"],
    );
    assert.deepEqual(
      upstream[1]!.messages.filter((m) => m.role === "tool").map((m) => m.content),
      ["84"],
    );

    const second = await f.client.chat.completions.create({
      model,
      tools: [weather],
      messages: [...messages, choice.message, { role: "tool", tool_call_id: "weather-1", content: "sunny" }],
    });
    assert.equal(second.choices[0]!.message.content, "84 apples; the weather is sunny.");
    // The client never saw the calculator round; lmx put it back into the conversation for the model.
    const resumed = f.upstream.requests.at(-1)!.body as Req;
    assert.deepEqual(
      resumed.messages.map((m) => m.role),
      ["user", "assistant", "tool", "assistant", "tool"],
    );
    assert.deepEqual(
      resumed.messages.filter((m) => m.role === "tool").map((m) => m.content),
      ["84", "sunny"],
    );
    assert.equal(second.choices[0]!.finish_reason, "stop");
  } finally {
    await f.close();
  }
});
