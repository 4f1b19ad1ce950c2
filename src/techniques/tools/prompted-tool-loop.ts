import { randomUUID } from "node:crypto";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import type { ChatRequest, Choice, Message, StreamEvent } from "../../core/types.ts";
import { fillTemplate } from "../prompt-template.ts";
import { executeToolCall } from "./execute-tool-call.ts";
import {
  actionArguments,
  describeTools,
  parseReactReply,
  promptedMessages,
  visibleFinalAnswer,
} from "./react-protocol.ts";
import { hostOf } from "../../runtime/host-of.ts";
import { finalChoice, keepVisible, loopStep, type ToolLoop } from "./tool-loop-step.ts";

const OBSERVATION_STOP = "\nObservation:";

/**
 * The loop for models without native tool calling (Yao et al. 2022, ReAct): the tools are described
 * in the system prompt, the model writes `Action:` / `Action Input:` lines, lmx runs the tool and
 * answers with `Observation:`, until `Final Answer:`. Only the final answer is shown (and streamed);
 * thoughts and actions stay in the trace. An action naming one of the caller's own tools goes back
 * to the caller as a tool call; a reply with neither an action nor a final answer is the answer.
 */
export async function* promptedToolLoop(loop: ToolLoop, prompt: string): AsyncGenerator<StreamEvent, Choice> {
  const { run, maxSteps, owned, userTools } = loop;
  const definitions = [...userTools, ...[...owned.values()].map((t) => t.definition)];
  const instructions = fillTemplate(prompt, {
    tools: describeTools(definitions),
    tool_names: definitions.map((d) => d.function.name).join(", "),
  });
  const messages = promptedMessages(hostOf(run.ctx).toolExchanges.restore(run.request.messages), instructions);
  // lmx's own calls in the OpenAI format, kept for when a call of the caller's tool is returned.
  const exchange: Message[] = [];
  for (let step = 1; ; step++) {
    const last = step >= maxSteps;
    const request = stepRequest(run.request, messages, last);
    const result = yield* loopStep({ loop, step, request, visibleOf: visibleFinalAnswer });
    const choice = result.choices[0]!;
    const text = typeof choice.message.content === "string" ? choice.message.content : "";
    const reply = parseReactReply(text);
    run.ctx.span.event("react step", {
      step,
      kind: reply.kind,
      ...(reply.kind === "action" ? { tool: reply.tool, input: reply.input } : {}),
    });
    if (reply.kind !== "action" || last) {
      // No action: the final answer, or the whole reply when the model ignored the format.
      const visible = reply.kind === "final" ? reply.answer : reply.kind === "none" ? text : "";
      const fresh = loop.visible.update(visible);
      if (fresh && loop.streaming) yield { type: "delta", index: 0, content: fresh };
      loop.visible.commit();
      if (reply.kind === "action") {
        run.ctx.span.event("max steps", { steps: step, pending_calls: [reply.tool] });
        return finalChoice(
          loop,
          choice,
          {
            content:
              loop.visible.total ||
              `Stopped after ${maxSteps} steps: the model was still calling tools (${reply.tool}).`,
          },
          "length",
        );
      }
      return finalChoice(loop, choice);
    }
    loop.visible.commit();
    keepVisible(loop);
    const definition = definitions.find((d) => d.function.name === reply.tool);
    const args = actionArguments(reply.input, definition);
    const id = `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
    if (definition && !owned.has(reply.tool) && args !== undefined) {
      const call = { id, type: "function" as const, function: { name: reply.tool, arguments: args } };
      run.ctx.span.event("caller tool calls", { step, calls: [reply.tool] });
      hostOf(run.ctx).toolExchanges.save({ conversation: run.request.messages, returned: [call], exchange });
      if (loop.streaming) yield { type: "delta", index: 0, tool_calls: [{ index: 0, ...call }] };
      return finalChoice(loop, choice, { content: loop.visible.total || null, tool_calls: [call] }, "tool_calls");
    }
    const observation = await observe(
      loop,
      reply.tool,
      args,
      id,
      definitions.map((d) => d.function.name),
      step,
    );
    messages.push({ role: "assistant", content: reply.text }, { role: "user", content: `Observation: ${observation}` });
    exchange.push({
      role: "assistant",
      content: null,
      tool_calls: [{ id, type: "function", function: { name: reply.tool, arguments: args ?? reply.input } }],
    });
    exchange.push({ role: "tool", tool_call_id: id, content: observation });
  }
}

/** The tool's result for the model, or the error that explains what to do instead. */
async function observe(
  loop: ToolLoop,
  name: string,
  args: string | undefined,
  id: string,
  known: string[],
  step: number,
): Promise<string> {
  if (loop.run.ctx.signal?.aborted) throw new AbortedError();
  const tool = loop.owned.get(name);
  if (!tool) return `Error: there is no tool "${name}". Use one of: ${known.join(", ")}.`;
  if (args === undefined) return `Error: the Action Input of ${name} must be one JSON object with its arguments.`;
  loop.run.progress({ stage: "tools", step, calls: [name] });
  return (await executeToolCall({ tool, name, id, argumentsText: args, ctx: loop.run.ctx })).content;
}

function stepRequest(request: ChatRequest, messages: Message[], last: boolean): ChatRequest {
  const out: ChatRequest = { ...request, messages: [...messages], n: 1 };
  // The protocol lives in the text: native tool fields and a JSON format would break it.
  for (const key of ["tools", "tool_choice", "parallel_tool_calls", "response_format"] as const) delete out[key];
  const stops = typeof request.stop === "string" ? [request.stop] : (request.stop ?? []);
  if (!last) out.stop = [...new Set([OBSERVATION_STOP, ...stops])].slice(0, 4);
  if (last) out.messages.push({ role: "user", content: "Write your Final Answer now, without using more tools." });
  return out;
}
