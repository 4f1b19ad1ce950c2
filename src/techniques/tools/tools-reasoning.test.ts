import assert from "node:assert/strict";
import { test } from "node:test";
import { resultText } from "../../core/messages.ts";
import { anthropicLM } from "../../providers/anthropic/anthropic-lm.ts";
import { startAnthropicTestServer } from "../../testing/anthropic-test-server.ts";
import { tools } from "./tools.ts";

test("tools over Anthropic with thinking: every step after a tool call keeps thinking on, its signed thinking sent back", async () => {
  const server = await startAnthropicTestServer({
    reply: (req: any) =>
      req.messages.at(-1).content.some((b: any) => b.type === "tool_result")
        ? { content: "The answer is 42.", thinking: "the calculator said 42" }
        : {
            thinking: "6*7 with the calculator",
            tool_use: [{ id: "toolu_1", name: "calculator", input: { expression: "6*7" } }],
          },
  });
  try {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url, apiKey: "k" });
    const r = await tools(lm).complete({
      messages: [{ role: "user", content: "What is 6 times 7?" }],
      reasoning_effort: "low",
    });
    assert.equal(resultText(r), "The answer is 42.");
    assert.equal(server.requests.length, 2);
    const second = server.requests[1]!.body;
    assert.deepEqual(second.thinking, { type: "enabled", budget_tokens: 2048 });
    assert.equal(second.messages[1].content[0].type, "thinking");
    assert.equal(r.choices[0]!.message.reasoning_content, "the calculator said 42");
  } finally {
    await server.close();
  }
});
