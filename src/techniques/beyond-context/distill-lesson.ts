import { childContext, createRunContext } from "../../core/context.ts";
import { contentText, lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest, LM, RunContext } from "../../core/types.ts";
import type { LessonStore } from "../../store/memory/lesson-store.ts";
import type { Lesson } from "../../store/memory/memory-store.ts";
import { fillTemplate } from "../prompt-template.ts";
import { stageRequest } from "../stage/stage-request.ts";

export interface DistillOptions {
  inner: LM;
  store: LessonStore;
  /** The request that was answered wrongly (as the caller sent it). */
  request: ChatRequest;
  answer: string;
  /** What is known about the mistake: the correct answer, a verifier's or a person's words. */
  feedback: string;
  prompt: string;
  source: string;
  ctx?: RunContext;
}

/**
 * Asks the LM for the general lesson behind a wrong answer and stores it (with the question and
 * the source of the judgement). Returns the stored lesson, or undefined when the LM gave none.
 */
export async function distillLesson(options: DistillOptions): Promise<Lesson | undefined> {
  const question = lastUserText(options.request).trim();
  const prompt = fillTemplate(options.prompt, { question, answer: options.answer.trim(), feedback: options.feedback });
  const parent = options.ctx ?? createRunContext({ name: "memory feedback" });
  const ctx = childContext(parent, "distill", "step");
  try {
    // A lesson is a note for later, so the caller's answer format and length limits do not bind it.
    const result = await options.inner.complete(
      stageRequest({ request: options.request, prompt, purpose: "note" }),
      ctx,
    );
    const text = cleanLesson(resultText(result));
    ctx.span.set({ output: text }).finish();
    if (!text) return undefined;
    const lesson = await options.store.add({
      text,
      question,
      tags: [options.source],
      source: options.source,
      ctx: parent,
    });
    parent.span.event("learned", { lesson_id: lesson.id, text: lesson.text, source: options.source });
    return lesson;
  } catch (error) {
    ctx.span.fail(error);
    throw error;
  }
}

/** The lesson without a "Lesson:" label, quotes, bullets or extra spacing. */
export function cleanLesson(text: string): string {
  return contentText(text)
    .trim()
    .replace(/^(?:\*\*)?(?:general\s+)?lesson(?:\s+learned)?\s*:?(?:\*\*)?\s*:?\s*/i, "")
    .replace(/^[-*•]\s+/, "")
    .replace(/^["“'](.*)["”']$/s, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
