import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { ChatRequest } from "../../core/types.ts";
import { questionOf, stageRequest } from "./stage-request.ts";

const request: ChatRequest = {
  messages: [
    { role: "system", content: "Be terse." },
    { role: "user", content: "Earlier question" },
    { role: "assistant", content: "Earlier answer" },
    {
      role: "user",
      content: [
        { type: "text", text: "What is in " },
        { type: "image_url", image_url: { url: "data:image/png;base64,AA" } },
        { type: "text", text: "this picture?" },
      ],
    },
  ],
  temperature: 0.2,
  max_tokens: 30,
  response_format: { type: "json_object" },
  tools: [{ type: "function", function: { name: "f" } }],
};

test("questionOf is the last user message's text; no user text is an InvalidRequestError", () => {
  assert.equal(questionOf({ request, technique: "t" }), "What is in \nthis picture?");
  assert.throws(
    () => questionOf({ request: { messages: [{ role: "system", content: "x" }] }, technique: "re2" }),
    (e) => InvalidRequestError.isInstance(e) && /re2/.test(e.message),
  );
});

test("an answer stage keeps history, system prompt and every request field; only the last user text changes", () => {
  const out = stageRequest({ request, prompt: "PROMPT" });
  assert.deepEqual(out.messages.slice(0, 3), request.messages.slice(0, 3));
  assert.deepEqual(out.messages[3]!.content, [
    { type: "text", text: "PROMPT" },
    { type: "image_url", image_url: { url: "data:image/png;base64,AA" } },
  ]);
  assert.equal(out.temperature, 0.2);
  assert.equal(out.max_tokens, 30);
  assert.deepEqual(out.response_format, { type: "json_object" });
  assert.equal(request.messages.length, 4, "the caller's request is not mutated");
  assert.equal(typeof request.messages[3]!.content, "object");
});

test("a note stage drops the fields that shape the final answer but keeps sampling settings", () => {
  const out = stageRequest({ request: { ...request, n: 1, stop: ["\n"] }, prompt: "critique", purpose: "note" });
  for (const field of ["response_format", "tools", "max_tokens", "stop", "n"])
    assert.equal(out[field], undefined, field);
  assert.equal(out.temperature, 0.2);
  assert.equal(out.messages[0]!.content, "Be terse.");
});

test("only the last user message is replaced, even when later turns follow it", () => {
  const withTool: ChatRequest = {
    messages: [
      { role: "user", content: "q" },
      { role: "assistant", content: null, tool_calls: [] },
      { role: "tool", content: "42", tool_call_id: "1" },
    ],
  };
  const out = stageRequest({ request: withTool, prompt: "p" });
  assert.deepEqual(
    out.messages.map((m) => m.content),
    ["p", null, "42"],
  );
});
