import { z } from "zod";
import { childContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText } from "../../core/messages.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import type { ChatRequest, ChatResult, Message } from "../../core/types.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { clientValue } from "../spec/option-trust.ts";
import { runStage, streamStage } from "../stage/run-stage.ts";

const options = z
  .strictObject({
    min_tokens: clientValue(
      z.int().min(0).max(131_072).default(0).describe("Fewest thinking tokens: stopping earlier appends `wait`."),
    ),
    max_tokens: clientValue(
      z.int().min(1).max(131_072).default(2048).describe("Most thinking tokens: at this many, thinking is ended."),
    ),
    wait: clientValue(
      z.string().min(1).max(64).default("Wait").describe("Appended when the model ends its thinking too early."),
    ),
    max_waits: clientValue(
      z.int().min(0).max(32).default(8).describe("Most times `wait` is appended (each is one more call)."),
    ),
  })
  .refine((o) => o.min_tokens <= o.max_tokens, {
    message: "min_tokens must not exceed max_tokens",
    path: ["min_tokens"],
  });

type Options = z.output<typeof options>;

/** Fields that shape the answer, not the thinking (a JSON grammar would bind the thoughts too). */
const ANSWER_ONLY = ["response_format", "tools", "tool_choice", "parallel_tool_calls", "logprobs", "top_logprobs"];

/**
 * Budget forcing (Muennighoff et al. 2025, "s1: Simple test-time scaling"): the model thinks in a
 * `<think>` block that lmx holds open. When it ends its thinking (`</think>`) before `min_tokens`,
 * the end is taken out and `wait` appended, so it goes on thinking; at `max_tokens` the block is
 * closed for it. Then it answers after the block. Each step is a continuation of the assistant's
 * partial message, so the inner LM must continue a final assistant message (local llama.cpp models
 * do, as does Anthropic); the thinking comes back as `reasoning_content`, apart from the answer.
 */
export const think = defineTechnique({
  name: "think",
  family: "iterate",
  paper: "Muennighoff et al. 2025, s1: Simple test-time scaling",
  description: "Budget forcing: holds the model's thinking between min_tokens and max_tokens, appending 'Wait'.",
  options,
  // The paper scales test-time compute by the thinking budget: its minimum is the knob (under the default max 2048).
  tunables: { knobs: [{ option: "min_tokens", values: [0, 256, 512, 1024] }, "max_waits"] },
  async run(run, o) {
    const thought = await thinkWithin(run, o);
    const result = await runStage({ run, name: "answer", request: answerRequest(run.request, thought) });
    return withThinking(result, thought);
  },
  async *stream(run, o) {
    const thought = await thinkWithin(run, o);
    if (thought.trim()) yield { type: "delta", index: 0, reasoning: thought.trim() };
    let leading = true;
    const stage = streamStage({ run, name: "answer", request: answerRequest(run.request, thought) });
    for (let step = await stage.next(); ; step = await stage.next()) {
      if (step.done) {
        yield { type: "result", result: withThinking(step.value, thought) };
        return;
      }
      const event = step.value;
      // The blank line after </think> is the block's, not the answer's.
      if (leading && event.type === "delta" && event.index === 0 && event.content !== undefined) {
        const content = event.content.trimStart();
        if (!content && !event.tool_calls && !event.logprobs) continue;
        leading = content === "";
        yield { ...event, content: content || undefined };
      } else yield event;
    }
  },
});

/** The answering call: the caller's request continuing after the closed thinking block. */
function answerRequest(request: ChatRequest, thought: string): ChatRequest {
  return continuation(request, `<think>${thought.trimEnd()}\n</think>`, false);
}

/** The answer with the thinking as its reasoning, the blank line after `</think>` taken off. */
function withThinking(result: ChatResult, thought: string): ChatResult {
  return {
    ...result,
    choices: result.choices.map((c) => ({
      ...c,
      message: {
        ...c.message,
        content: typeof c.message.content === "string" ? c.message.content.trimStart() : c.message.content,
        reasoning_content: thought.trim(),
      },
    })),
  };
}

/** The thinking, grown call by call until it has between min_tokens and max_tokens (or the waits run out). */
async function thinkWithin(run: TechniqueRun, o: Options): Promise<string> {
  if (run.ctx.signal?.aborted) throw new AbortedError();
  const ctx = childContext(run.ctx, "think", "step");
  let text = "";
  let tokens = 0;
  let waits = 0;
  try {
    for (;;) {
      const request = { ...continuation(run.request, `<think>${text}`, true), max_tokens: o.max_tokens - tokens };
      const r = await run.inner.complete(request, ctx);
      const choice = r.choices[0];
      if (!choice) throw new InvalidRequestError("think: the model returned no choice");
      // A model that knows it is inside the block (llama.cpp does) returns the thoughts as reasoning.
      text += (choice.message.reasoning_content ?? "") + contentText(choice.message.content);
      tokens += r.usage.completion_tokens;
      const forced = choice.finish_reason === "length" || tokens >= o.max_tokens;
      if (forced || tokens >= o.min_tokens || waits >= o.max_waits) {
        ctx.span.set({ thinking_tokens: tokens, waits, ended: forced ? "max_tokens" : "model", output: text });
        ctx.span.finish();
        return text;
      }
      // The model tried to stop early: its end of thinking is dropped and it is told to wait.
      waits++;
      text = `${text.trimEnd()}\n${o.wait}`;
      run.progress({ stage: "wait", waits, thinking_tokens: tokens });
    }
  } catch (error) {
    ctx.span.fail(error);
    throw error;
  }
}

/**
 * The caller's request with the assistant's partial message `prefill` at the end, to be continued.
 * Thinking calls stop at `</think>` and leave out the fields that shape the answer. Prefills never end
 * in whitespace (Anthropic rejects that).
 */
function continuation(request: ChatRequest, prefill: string, thinking: boolean): ChatRequest {
  const messages: Message[] = [...request.messages, { role: "assistant", content: prefill.trimEnd() }];
  const out: ChatRequest = { ...request, messages, n: 1 };
  if (thinking) {
    for (const key of ANSWER_ONLY) delete out[key];
    delete out.max_completion_tokens;
    out.stop = ["</think>"];
  }
  return out;
}
