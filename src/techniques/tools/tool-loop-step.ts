import type { ChatRequest, ChatResult, Choice, StreamEvent, ToolDefinition } from "../../core/types.ts";
import type { Tool } from "../../tools/tool.ts";
import type { TechniqueRun } from "../define-technique.ts";
import { runStage, streamStage } from "../stage/run-stage.ts";
import { VisibleText } from "./visible-text.ts";

/** What both tool-loop protocols share for one run. */
export interface ToolLoop {
  run: TechniqueRun;
  maxSteps: number;
  /** lmx's own tools by function name. */
  owned: Map<string, Tool>;
  /** The caller's own tools (from the request): their calls go back to the caller. */
  userTools: ToolDefinition[];
  /** Stream the visible text as it comes (stream()) or not (complete()). */
  streaming: boolean;
  visible: VisibleText;
}

/**
 * One model call of the loop, in a `step` span. Streaming, the text the caller may see (`visibleOf`
 * the step's text so far) is yielded as deltas while it arrives; tool-call deltas are held back,
 * since only the loop knows whether a call is the caller's.
 */
export async function* loopStep(options: {
  loop: ToolLoop;
  step: number;
  request: ChatRequest;
  visibleOf: (text: string) => string;
}): AsyncGenerator<StreamEvent, ChatResult> {
  const { loop, step, request, visibleOf } = options;
  const name = `step ${step}`;
  if (!loop.streaming) return runStage({ run: loop.run, name, request });
  let text = "";
  const inner = streamStage({ run: loop.run, name, request });
  for (;;) {
    const next = await inner.next();
    if (next.done) return next.value;
    const event = next.value;
    if (event.type === "progress") yield event;
    if (event.type !== "delta" || event.index !== 0 || !event.content) continue;
    text += event.content;
    const fresh = loop.visible.update(visibleOf(text));
    if (fresh) yield { type: "delta", index: 0, content: fresh };
  }
}

/** The loop's answer: the visible text so far, with the final step's finish reason and extra fields. */
export function finalChoice(
  loop: ToolLoop,
  from: Choice,
  overrides: Partial<Choice["message"]> = {},
  finishReason = from.finish_reason,
): Choice {
  const { tool_calls: _calls, ...message } = from.message;
  return {
    index: 0,
    message: { ...message, role: "assistant", content: loop.visible.total, ...overrides },
    finish_reason: finishReason,
  };
}

/** Remembers the visible text as the best answer so far, for a budget stop or an abort. */
export function keepVisible(loop: ToolLoop): void {
  if (loop.visible.total)
    loop.run.keep({ index: 0, message: { role: "assistant", content: loop.visible.total }, finish_reason: "stop" });
}
