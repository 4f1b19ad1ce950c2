import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest, Message, ToolCall } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import type { Span } from "../../trace/span.ts";
import { functionTool } from "../../tools/tool.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { tools } from "./tools.ts";

const ask: ChatRequest = {
  messages: [
    { role: "system", content: "Be exact." },
    { role: "user", content: "What is (17 + 3*12) * 2^10?" },
  ],
};
const call = (id: string, name: string, args: unknown): ToolCall => ({
  id,
  type: "function",
  function: { name, arguments: JSON.stringify(args) },
});
const toolMessages = (r: ChatRequest) => r.messages.filter((m) => m.role === "tool");
const lastMessage = (r: ChatRequest): Message => r.messages.at(-1)!;

function spans(span: Span, kind: Span["kind"]): Span[] {
  return span.children.flatMap((c) => [...(c.kind === kind ? [c] : []), ...spans(c, kind)]);
}

/** Calls the calculator once, then answers with what the tool said. */
const calculatingModel = () =>
  scriptedLM((request) => {
    const last = lastMessage(request);
    if (last.role !== "tool")
      return { content: null, tool_calls: [call("c1", "calculator", { expression: "(17 + 3*12) * 2^10" })] };
    return `The answer is ${contentText(last.content)}.`;
  });

test("the model's calculator call is run and its exact result fed back; each call is a tool span", async () => {
  const lm = calculatingModel();
  const ctx = createRunContext();
  const result = await tools(lm).complete(ask, ctx);
  assert.equal(resultText(result), "The answer is 54272.");
  assert.equal(result.choices[0]!.finish_reason, "stop");
  assert.equal(lm.calls.length, 2);
  assert.deepEqual(
    lm.calls[0]!.tools!.map((t) => t.function.name),
    ["calculator", "run_javascript"],
  );
  assert.equal(lm.calls[1]!.messages[0]!.content, "Be exact.", "history and system prompt are kept");
  assert.deepEqual(lm.calls[1]!.messages.at(-2)!.tool_calls, [
    call("c1", "calculator", { expression: "(17 + 3*12) * 2^10" }),
  ]);
  assert.deepEqual(toolMessages(lm.calls[1]!), [{ role: "tool", tool_call_id: "c1", content: "54272" }]);
  const [span] = spans(ctx.span, "tool");
  assert.equal(span!.name, "calculator");
  assert.deepEqual(span!.attributes.arguments, { expression: "(17 + 3*12) * 2^10" });
  assert.equal(span!.attributes.result, "54272");
  assert.equal(typeof span!.attributes.latency_ms, "number");
  assert.equal(span!.status, "ok");
  assert.equal(result.usage.calls, 2);
});

test("a tool error goes back to the model as the tool's result, and the model recovers", async () => {
  const lm = scriptedLM((request) => {
    const results = toolMessages(request);
    if (results.length === 0) return { tool_calls: [call("a", "calculator", { expression: "100 / (5 - 5)" })] };
    if (results.length === 1) return { tool_calls: [call("b", "calculator", { expression: "100 / 5" })] };
    return `Fixed: ${contentText(results[1]!.content)}`;
  });
  const ctx = createRunContext();
  const result = await tools(lm, { tools: ["calculator"] }).complete(ask, ctx);
  assert.equal(resultText(result), "Fixed: 20");
  const first = contentText(toolMessages(lm.calls[1]!)[0]!.content);
  assert.match(first, /^Error: division by zero at position 5/);
  const [failed, ok] = spans(ctx.span, "tool");
  assert.equal(failed!.status, "error");
  assert.match(failed!.error!, /division by zero/);
  assert.equal(ok!.status, "ok");
});

test("bad JSON arguments and an unknown argument are errors the model reads, not failures of the run", async () => {
  const lm = scriptedLM((request) => {
    if (toolMessages(request).length === 0)
      return {
        tool_calls: [
          { id: "x", type: "function", function: { name: "calculator", arguments: "{expression: 2+2" } },
          call("y", "calculator", { expr: "2+2" }),
        ],
      };
    return toolMessages(request)
      .map((m) => contentText(m.content))
      .join(" | ");
  });
  const text = resultText(await tools(lm, { tools: ["calculator"] }).complete(ask));
  assert.match(
    text,
    /^Error: the arguments of calculator are not valid JSON .* \| Error: calculator needs a string argument "expression"$/,
  );
});

test("max_steps stops a model that never stops calling tools; the last step asks for an answer", async () => {
  const lm = scriptedLM((_r, { callIndex }) => ({
    tool_calls: [call(`c${callIndex}`, "calculator", { expression: `${callIndex} + 1` })],
  }));
  const ctx = createRunContext();
  const result = await tools(lm, { max_steps: 3 }).complete(ask, ctx);
  assert.equal(lm.calls.length, 3);
  assert.deepEqual(
    lm.calls.map((r) => r.tool_choice),
    [undefined, undefined, "none"],
  );
  assert.equal(result.choices[0]!.finish_reason, "length");
  assert.match(resultText(result), /Stopped after 3 steps/);
  assert.equal(spans(ctx.span, "tool").length, 2, "the calls of the last step are not run");
});

test("several tool calls of one step run concurrently and their results keep the calls' order", async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const slow = functionTool({
    name: "lookup",
    description: "Looks up a city's population.",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    async execute(args) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // The first call is the slowest, so a sequential run would also finish in call order.
      await new Promise((r) => setTimeout(r, args.city === "Oslo" ? 60 : 20));
      inFlight--;
      return { city: args.city, population: String(args.city).length * 1000 };
    },
  });
  const lm = scriptedLM((request) => {
    if (toolMessages(request).length === 0)
      return { tool_calls: ["Oslo", "Rome", "Lima"].map((city, i) => call(`t${i}`, "lookup", { city })) };
    return toolMessages(request)
      .map((m) => `${m.tool_call_id}=${contentText(m.content)}`)
      .join("\n");
  });
  const result = await tools(lm, { tools: [slow] }).complete(ask);
  assert.equal(maxInFlight, 3);
  assert.equal(
    resultText(result),
    [
      't0={"city":"Oslo","population":4000}',
      't1={"city":"Rome","population":4000}',
      't2={"city":"Lima","population":4000}',
    ].join("\n"),
  );
});

const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } } },
  },
};

test("a call of the caller's own tool is returned to the caller, and the loop resumes with its result", async () => {
  const lm = scriptedLM((request) => {
    const last = lastMessage(request);
    if (last.role === "user")
      return {
        content: "Checking.",
        tool_calls: [call("w1", "get_weather", { city: "Oslo" }), call("k1", "calculator", { expression: "1+1" })],
      };
    if (last.tool_call_id === "w1")
      return { tool_calls: [call("k2", "calculator", { expression: `${contentText(last.content)} * 9/5 + 32` })] };
    return `It is ${contentText(last.content)} °F.`;
  });
  const request: ChatRequest = { ...ask, tools: [weather] };
  const first = await tools(lm).complete(request);
  const choice = first.choices[0]!;
  assert.equal(choice.finish_reason, "tool_calls");
  assert.deepEqual(
    choice.message.tool_calls,
    [call("w1", "get_weather", { city: "Oslo" })],
    "only the caller's call, unchanged",
  );
  assert.equal(choice.message.content, "Checking.");
  assert.deepEqual(
    lm.calls[0]!.tools!.map((t) => t.function.name),
    ["get_weather", "calculator", "run_javascript"],
  );
  // The caller runs its tool and continues the conversation, as with any OpenAI model.
  const next: ChatRequest = {
    ...request,
    messages: [...request.messages, choice.message, { role: "tool", tool_call_id: "w1", content: "20" }],
  };
  const second = await tools(lm).complete(next);
  assert.equal(resultText(second), "It is 68 °F.");
  assert.equal(second.choices[0]!.finish_reason, "stop");
});

test("a caller tool named like one of lmx's is refused", async () => {
  const lm = scriptedLM(() => "x");
  const clash = { ...ask, tools: [{ type: "function" as const, function: { name: "calculator" } }] };
  await assert.rejects(
    tools(lm).complete(clash),
    (e) => InvalidRequestError.isInstance(e) && /calculator/.test(e.message),
  );
  assert.equal(lm.calls.length, 0);
  assert.throws(() => tools(lm, { tools: ["calculater"] }), /unknown tool "calculater"/);
});

test("streaming yields the model's visible text and ends with a result equal to complete()'s", async () => {
  const { text, result } = await collectStream(tools(calculatingModel()).stream(ask));
  assert.equal(text, "The answer is 54272.");
  assert.equal(resultText(result), text);
  assert.equal(result.usage.calls, 2);
  const lm = scriptedLM(() => ({ content: "Let me ask.", tool_calls: [call("w", "get_weather", { city: "Rome" })] }));
  const events = [];
  for await (const e of tools(lm).stream({ ...ask, tools: [weather] })) events.push(e);
  const toolDelta = events.find((e) => e.type === "delta" && e.tool_calls);
  assert.ok(toolDelta && toolDelta.type === "delta");
  assert.equal(toolDelta.tool_calls![0]!.function!.name, "get_weather");
  const final = events.at(-1)!;
  assert.ok(final.type === "result" && final.result.choices[0]!.finish_reason === "tool_calls");
});

test("a budget stop returns the text said so far with finish_reason budget", async () => {
  const lm = scriptedLM((_r, { callIndex }) => ({
    content: `Step ${callIndex + 1} done.`,
    tool_calls: [call(`c${callIndex}`, "calculator", { expression: "2*3" })],
  }));
  const result = await tools(lm).complete(ask, createRunContext({ budget: { calls: 2 } }));
  assert.equal(lm.calls.length, 2);
  assert.equal(result.choices[0]!.finish_reason, "budget");
  assert.equal(resultText(result), "Step 1 done.\n\nStep 2 done.");
});

test("with a JSON response_format the answer is the answering step's JSON alone, streamed or not", async () => {
  const lm = scriptedLM((request) => {
    const last = lastMessage(request);
    if (last.role !== "tool")
      return { content: "Let me compute that first.", tool_calls: [call("c1", "calculator", { expression: "6*7" })] };
    return JSON.stringify({ answer: Number(contentText(last.content)) });
  });
  const json: ChatRequest = { ...ask, response_format: { type: "json_object" } };
  assert.deepEqual(JSON.parse(resultText(await tools(lm).complete(json))), { answer: 42 });
  const { text, result } = await collectStream(tools(lm).stream(json));
  assert.deepEqual(JSON.parse(text), { answer: 42 });
  assert.equal(resultText(result), text);
  assert.equal(
    resultText(await tools(lm).complete(ask)),
    'Let me compute that first.\n\n{"answer":42}',
    "plain text still shows every step",
  );
});

test("the JavaScript sandbox tool runs the model's program", async () => {
  const lm = scriptedLM((request) => {
    const last = lastMessage(request);
    if (last.role !== "tool")
      return {
        tool_calls: [
          call("s", "run_javascript", {
            code: "let n = 0; for (let i = 0; i < 1000; i++) if (i % 7 === 3) n++; console.log('count', n); n",
          }),
        ],
      };
    return contentText(last.content);
  });
  assert.equal(resultText(await tools(lm, { tools: ["sandbox"] }).complete(ask)), "count 143\nResult: 143");
});
