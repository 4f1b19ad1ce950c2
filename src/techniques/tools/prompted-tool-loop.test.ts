import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { tools } from "./tools.ts";

const ask: ChatRequest = {
  messages: [
    { role: "system", content: "Be exact." },
    { role: "user", content: "What is 2^64?" },
  ],
  tools: undefined,
};
const noTools = { capabilities: { tools: false } };
const last = (r: ChatRequest) => contentText(r.messages.at(-1)!.content);

/** A ReAct-style model: acts once, then answers from the observation. */
const reactModel = () =>
  scriptedLM((request) => {
    const observation = /^Observation: (.*)$/s.exec(last(request));
    if (!observation)
      return 'Thought: I should compute this exactly.\nAction: calculator\nAction Input: {"expression": "2^64"}\nObservation: (made up)';
    return `Thought: I now know the final answer.\nFinal Answer: 2^64 = ${observation[1]}.`;
  }, noTools);

test("a model without tool calling gets the tools in its system prompt and uses them through Action lines", async () => {
  const lm = reactModel();
  const ctx = createRunContext();
  const result = await tools(lm, { tools: ["calculator"] }).complete(ask, ctx);
  assert.equal(resultText(result), "2^64 = 18446744073709551616.", "only the final answer is shown");
  const [first, second] = lm.calls;
  assert.equal(first!.tools, undefined, "no native tool fields");
  assert.match(
    contentText(first!.messages[0]!.content),
    /^Be exact\.\n\nYou can use tools[\s\S]*- calculator: Evaluates[\s\S]*"expression"/,
  );
  assert.ok((first!.stop as string[]).includes("\nObservation:"));
  assert.equal(second!.messages.at(-2)!.role, "assistant");
  assert.equal(
    contentText(second!.messages.at(-2)!.content),
    'Thought: I should compute this exactly.\nAction: calculator\nAction Input: {"expression": "2^64"}',
    "the made-up observation is cut",
  );
  assert.equal(last(second!), "Observation: 18446744073709551616");
  const tool = ctx.span.children[0]!.children.find((s) => s.kind === "tool")!;
  assert.equal(tool.name, "calculator");
  assert.equal(tool.attributes.result, "18446744073709551616");
  assert.equal(ctx.span.children[0]!.attributes.protocol, "prompted");
});

test("protocol=prompted works over a model with native tools too, and streams only the final answer", async () => {
  const lm = scriptedLM((request) => {
    const observation = /^Observation: (.*)$/s.exec(last(request));
    return observation
      ? `Thought: done\nFinal Answer: It is ${observation[1]}.`
      : 'Action: calculator\nAction Input: {"expression": "10!"}';
  });
  const { text, deltas, result } = await collectStream(tools(lm, { protocol: "prompted" }).stream(ask));
  assert.equal(text, "It is 3628800.");
  assert.ok(deltas.length > 1, "the answer streams in pieces");
  assert.ok(deltas.every((d) => !/Thought|Action/.test(d)));
  assert.equal(resultText(result), text);
});

test("a bad Action Input or an unknown tool comes back as an Observation error", async () => {
  const lm = scriptedLM((request) => {
    const n = request.messages.filter(
      (m) => m.role === "user" && contentText(m.content).startsWith("Observation:"),
    ).length;
    if (n === 0) return "Action: calculater\nAction Input: {}";
    if (n === 1) return "Action: run_javascript\nAction Input: not json at all, sorry";
    if (n === 2) return "Action: calculator\nAction Input: 6 * 7";
    return `Final Answer: ${last(request).replace("Observation: ", "")}`;
  }, noTools);
  const result = await tools(lm).complete(ask);
  assert.match(
    last(lm.calls[1]!),
    /^Observation: Error: there is no tool "calculater"\. Use one of: calculator, run_javascript\.$/,
  );
  // A tool with one string argument takes the raw text; run_javascript then reports the syntax error.
  assert.match(last(lm.calls[2]!), /^Observation: Error: SyntaxError/);
  assert.equal(resultText(result), "42", "the calculator accepted the bare expression as its one argument");
});

test("a reply in plain text, without the protocol, is taken as the answer", async () => {
  const lm = scriptedLM(() => "Simply 18446744073709551616.", noTools);
  const result = await tools(lm).complete(ask);
  assert.equal(resultText(result), "Simply 18446744073709551616.");
  assert.equal(lm.calls.length, 1);
});

test("the caller's own tools are offered too; an Action on one is returned as a tool call, and its result continues the run", async () => {
  const weather = {
    type: "function" as const,
    function: {
      name: "get_weather",
      description: "Weather in a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  };
  const lm = scriptedLM((request) => {
    const text = last(request);
    if (text.startsWith("Observation: 21")) return "Final Answer: 21 degrees in Oslo.";
    if (!text.startsWith("Observation:")) return 'Action: calculator\nAction Input: {"expression": "20 + 2"}';
    return 'Thought: need the weather\nAction: get_weather\nAction Input: {"city": "Oslo"}';
  }, noTools);
  const request: ChatRequest = { messages: [{ role: "user", content: "Weather in Oslo?" }], tools: [weather] };
  const first = await tools(lm).complete(request);
  const choice = first.choices[0]!;
  assert.equal(choice.finish_reason, "tool_calls");
  assert.equal(choice.message.tool_calls![0]!.function.name, "get_weather");
  assert.deepEqual(JSON.parse(choice.message.tool_calls![0]!.function.arguments), { city: "Oslo" });
  assert.match(contentText(lm.calls[0]!.messages[0]!.content), /- get_weather: Weather in a city/);
  const id = choice.message.tool_calls![0]!.id;
  const second = await tools(lm).complete({
    ...request,
    messages: [...request.messages, choice.message, { role: "tool", tool_call_id: id, content: "21" }],
  });
  assert.equal(resultText(second), "21 degrees in Oslo.");
  const resent = lm.calls.at(-1)!.messages;
  assert.equal(
    contentText(resent.at(-2)!.content),
    'Action: get_weather\nAction Input: {"city":"Oslo"}',
    "the earlier call is written as an Action",
  );
  assert.deepEqual(
    resent.slice(2, 4).map((m) => contentText(m.content)),
    ['Action: calculator\nAction Input: {"expression":"20 + 2"}', "Observation: 22"],
    "lmx's own earlier round is put back, as Action and Observation",
  );
});

test("at max_steps the model is told to answer without tools", async () => {
  const lm = scriptedLM(
    (request) =>
      /Final Answer now/.test(last(request))
        ? "Final Answer: 7"
        : 'Action: calculator\nAction Input: {"expression": "3+4"}',
    noTools,
  );
  const result = await tools(lm, { max_steps: 2 }).complete(ask);
  assert.equal(lm.calls.length, 2);
  assert.equal(resultText(result), "7");
  assert.equal(lm.calls[1]!.stop, undefined);
});
