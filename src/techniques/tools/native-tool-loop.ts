import { AbortedError } from "../../core/errors/aborted-error.ts";
import type { ChatRequest, Choice, Message, StreamEvent, ToolCall } from "../../core/types.ts";
import { executeToolCall } from "./execute-tool-call.ts";
import { hostOf } from "../../runtime/host-of.ts";
import { finalChoice, keepVisible, loopStep, type ToolLoop } from "./tool-loop-step.ts";

/**
 * The loop in the OpenAI tools format: each step sends the conversation with the caller's tools and
 * lmx's; lmx's tool calls are run (concurrently) and answered with `tool` messages; a call of a
 * tool lmx does not own ends the loop and goes back to the caller (finish_reason "tool_calls"), as
 * the model asked for it. The last allowed step is sent with tool_choice "none" so the model answers.
 */
export async function* nativeToolLoop(loop: ToolLoop): AsyncGenerator<StreamEvent, Choice> {
  const { run, maxSteps, owned, userTools } = loop;
  const start = hostOf(run.ctx).toolExchanges.restore(run.request.messages);
  const messages: Message[] = [...start];
  const tools = [...userTools, ...[...owned.values()].map((t) => t.definition)];
  // A JSON answer is the last step's text alone: what the model said before its tool calls would
  // make it invalid JSON, so with a JSON response_format nothing is shown until a step answers.
  const json = run.request.response_format !== undefined && run.request.response_format.type !== "text";
  for (let step = 1; ; step++) {
    const last = step >= maxSteps;
    const result = yield* loopStep({
      loop,
      step,
      request: stepRequest(run.request, messages, tools, step, last),
      visibleOf: (text) => (json ? "" : text),
    });
    const choice = result.choices[0]!;
    const text = typeof choice.message.content === "string" ? choice.message.content : "";
    const calls = choice.message.tool_calls ?? [];
    if (!json || calls.length === 0) {
      const fresh = loop.visible.update(text);
      if (json && fresh && loop.streaming) yield { type: "delta", index: 0, content: fresh };
    }
    loop.visible.commit();
    keepVisible(loop);
    if (calls.length === 0) return finalChoice(loop, choice);
    const foreign = calls.filter((c) => !owned.has(c.function.name));
    if (foreign.length > 0) {
      run.ctx.span.event("caller tool calls", {
        step,
        calls: foreign.map((c) => c.function.name),
        dropped: calls.length - foreign.length,
      });
      hostOf(run.ctx).toolExchanges.save({
        conversation: run.request.messages,
        returned: foreign,
        exchange: messages.slice(start.length),
      });
      if (loop.streaming) yield { type: "delta", index: 0, tool_calls: foreign.map((c, index) => ({ index, ...c })) };
      return finalChoice(loop, choice, { content: loop.visible.total || null, tool_calls: foreign }, "tool_calls");
    }
    if (last) {
      run.ctx.span.event("max steps", { steps: step, pending_calls: calls.map((c) => c.function.name) });
      const note =
        loop.visible.total ||
        `Stopped after ${maxSteps} step${maxSteps === 1 ? "" : "s"}: the model was still calling tools (${calls.map((c) => c.function.name).join(", ")}).`;
      return finalChoice(loop, choice, { content: note }, "length");
    }
    // The whole turn goes back, with what a provider needs to continue it (Anthropic's signed thinking).
    messages.push({ ...choice.message, role: "assistant", content: choice.message.content ?? null, tool_calls: calls });
    messages.push(...(await runCalls(loop, calls, step)));
  }
}

function stepRequest(
  request: ChatRequest,
  messages: Message[],
  tools: ChatRequest["tools"],
  step: number,
  last: boolean,
): ChatRequest {
  const out: ChatRequest = { ...request, messages: [...messages], tools, n: 1 };
  // The caller's tool_choice shapes the first step; forcing it again would loop for ever.
  const choice = last || request.tool_choice === "none" ? "none" : step === 1 ? request.tool_choice : undefined;
  if (choice === undefined) delete out.tool_choice;
  else out.tool_choice = choice;
  return out;
}

/** Runs a step's tool calls concurrently; the `tool` messages in the calls' order. */
async function runCalls(loop: ToolLoop, calls: ToolCall[], step: number): Promise<Message[]> {
  if (loop.run.ctx.signal?.aborted) throw new AbortedError();
  loop.run.progress({ stage: "tools", step, calls: calls.map((c) => c.function.name) });
  const outcomes = await Promise.all(
    calls.map((call) =>
      executeToolCall({
        tool: loop.owned.get(call.function.name)!,
        name: call.function.name,
        id: call.id,
        argumentsText: call.function.arguments,
        ctx: loop.run.ctx,
      }),
    ),
  );
  return outcomes.map((o, i) => ({ role: "tool", tool_call_id: calls[i]!.id, content: o.content }));
}
