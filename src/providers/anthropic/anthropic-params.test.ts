import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { ChatRequest } from "../../core/types.ts";
import { anthropicParams } from "./anthropic-params.ts";

const base = { model: "claude-test", defaultMaxTokens: 1024, structuredOutput: "instruction" as const };

test("system and developer messages join into `system`; images become image blocks", () => {
  const request: ChatRequest = {
    messages: [
      { role: "system", content: "Rule one." },
      { role: "developer", content: [{ type: "text", text: "Rule two." }] },
      {
        role: "user",
        content: [
          { type: "text", text: "What is shown?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
        ],
      },
    ],
    max_tokens: 300,
    max_completion_tokens: 200,
    user: "u-1",
    top_k: 5,
  };
  const p = anthropicParams({ ...base, request });
  assert.equal(p.system, "Rule one.\n\nRule two.");
  assert.deepEqual(p.messages[0].content, [
    { type: "text", text: "What is shown?" },
    { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
    { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
  ]);
  assert.equal(p.max_tokens, 200, "the smaller cap wins");
  assert.deepEqual(p.metadata, { user_id: "u-1" });
  assert.equal(p.top_k, 5);
});

test("tool_choice and parallel_tool_calls map to Anthropic's tool_choice", () => {
  const tools = [{ type: "function" as const, function: { name: "f" } }];
  const msg = [{ role: "user" as const, content: "go" }];
  assert.deepEqual(
    anthropicParams({
      ...base,
      request: { messages: msg, tools, tool_choice: { type: "function", function: { name: "f" } } },
    }).tool_choice,
    { type: "tool", name: "f" },
  );
  assert.deepEqual(
    anthropicParams({ ...base, request: { messages: msg, tools, parallel_tool_calls: false } }).tool_choice,
    { type: "auto", disable_parallel_tool_use: true },
  );
  assert.deepEqual(anthropicParams({ ...base, request: { messages: msg, tools, tool_choice: "none" } }).tool_choice, {
    type: "none",
  });
  assert.deepEqual(anthropicParams({ ...base, request: { messages: msg, tools } }).tools, [
    { name: "f", input_schema: { type: "object", properties: {} } },
  ]);
});

test("empty assistant turns are dropped and bad tool-call JSON is an InvalidRequestError", () => {
  const p = anthropicParams({
    ...base,
    request: {
      messages: [
        { role: "user", content: "a" },
        { role: "assistant", content: "" },
        { role: "user", content: "b" },
      ],
    },
  });
  assert.deepEqual(p.messages, [
    {
      role: "user",
      content: [
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ],
    },
  ]);
  const bad: ChatRequest = {
    messages: [
      { role: "user", content: "a" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{oops" } }],
      },
    ],
  };
  assert.throws(
    () => anthropicParams({ ...base, request: bad }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "messages[1].tool_calls[0]",
  );
});

test("stop: null (sent by some OpenAI clients) sets no stop sequences", () => {
  const p = anthropicParams({
    ...base,
    request: { messages: [{ role: "user", content: "a" }], stop: null as unknown as string },
  });
  assert.equal(p.stop_sequences, undefined);
});
