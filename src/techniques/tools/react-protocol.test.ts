import assert from "node:assert/strict";
import { test } from "node:test";
import { actionArguments, parseReactReply, promptedMessages, visibleFinalAnswer } from "./react-protocol.ts";

const calc = {
  type: "function" as const,
  function: {
    name: "calculator",
    parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
  },
};

test("an action is read with its input, up to a made-up observation", () => {
  const reply = parseReactReply(
    'Thought: compute\n**Action:** `calculator`\nAction Input: {"expression": "1+1"}\nObservation: 2\nFinal Answer: 2',
  );
  assert.deepEqual(reply, {
    kind: "action",
    tool: "calculator",
    input: '{"expression": "1+1"}',
    text: 'Thought: compute\n**Action:** `calculator`\nAction Input: {"expression": "1+1"}',
  });
});

test("a final answer before any action wins; the streamed part is what follows the marker", () => {
  assert.deepEqual(parseReactReply("Thought: easy\nFinal Answer: 4\nAction: calculator"), {
    kind: "final",
    answer: " 4\nAction: calculator",
  });
  assert.equal(visibleFinalAnswer("Thought: easy\nFinal Ans"), "");
  assert.equal(visibleFinalAnswer("Thought: easy\nFinal Answer: The res"), " The res");
  assert.equal(visibleFinalAnswer("Action: calculator\nAction Input: {}\nFinal Answer: 3"), "");
  assert.deepEqual(parseReactReply("just text"), { kind: "none" });
});

test("action arguments: JSON, JSON inside text or fences, or the raw text for a one-string-argument tool", () => {
  assert.equal(actionArguments('{"expression": "2*3"}', calc), '{"expression":"2*3"}');
  assert.equal(actionArguments('```json\n{"expression": "2*3"}\n```', calc), '{"expression":"2*3"}');
  assert.equal(actionArguments('the input is {"expression": "a}b"} ok', calc), '{"expression":"a}b"}');
  assert.equal(actionArguments('"2*3"', calc), '{"expression":"2*3"}');
  assert.equal(
    actionArguments("2*3", {
      type: "function",
      function: { name: "f", parameters: { type: "object", properties: { a: { type: "number" } } } },
    }),
    undefined,
  );
});

test("earlier native tool calls become Action lines and Observations; instructions join the system prompt", () => {
  const out = promptedMessages(
    [
      { role: "user", content: "q" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "1", type: "function", function: { name: "a", arguments: "{}" } },
          { id: "2", type: "function", function: { name: "b", arguments: '{"x":1}' } },
        ],
      },
      { role: "tool", tool_call_id: "1", content: "A" },
      { role: "tool", tool_call_id: "2", content: "B" },
    ],
    "TOOLS",
  );
  assert.deepEqual(out, [
    { role: "system", content: "TOOLS" },
    { role: "user", content: "q" },
    { role: "assistant", content: 'Action: a\nAction Input: {}\nAction: b\nAction Input: {"x":1}' },
    { role: "user", content: "Observation: A\nObservation: B" },
  ]);
});
