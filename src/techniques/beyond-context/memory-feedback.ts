import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { resultText } from "../../core/messages.ts";
import type { RunHost } from "../../core/run-host.ts";
import type { ChatRequest, ChatResult, LM, RunContext } from "../../core/types.ts";
import type { Lesson } from "../../store/memory/memory-store.ts";
import { canonicalAnswer, type AnswerKind } from "../answers/index.ts";
import { techniqueStack } from "../technique-tree.ts";
import { distillLesson } from "./distill-lesson.ts";
import type { MemoryLM, MemoryOptions } from "./memory.ts";
import { memoryToLearn } from "./open-memory.ts";
import { hostOf } from "../../runtime/host-of.ts";

/** An evaluation of one answer, e.g. from `lmx eval` comparing it with the gold answer. */
export interface MemoryFeedback {
  /** The request that was answered. */
  request: ChatRequest;
  /** The answer given (its text, or the whole result). */
  answer: string | ChatResult;
  /** Whether it was right; when absent, `gold` decides (canonical answers compared). */
  correct?: boolean;
  /** The correct answer. */
  gold?: string;
  /** What was wrong, in words. */
  note?: string;
  /** How answers are compared with `gold` (default "auto"). */
  kind?: AnswerKind;
}

/**
 * Teaches an LM that has a memory (anywhere in its stack of techniques) from an evaluation of one
 * of its answers: a wrong answer makes the LM distil a lesson, which is stored and returned; a right
 * one returns undefined. InvalidRequestError when the LM has no memory.
 */
export function feedback(lm: LM, evaluation: MemoryFeedback, ctx?: RunContext): Promise<Lesson | undefined> {
  for (const at of [lm, ...techniqueStack(lm).layers.map((layer) => layer.inner)]) {
    const learner = at as Partial<MemoryLM>;
    if (typeof learner.feedback === "function") return learner.feedback(evaluation, ctx);
  }
  return Promise.reject(
    new InvalidRequestError(`feedback: ${lm.id} has no memory; build it with the memory technique`, { param: "lm" }),
  );
}

/** The memory technique's side of `feedback()`. */
export async function learnFromFeedback(options: {
  inner: LM;
  options: MemoryOptions;
  feedback: MemoryFeedback;
  ctx?: RunContext;
  /** The runtime's host (the context's, else the one bound when the LM was built). */
  host?: RunHost;
}): Promise<Lesson | undefined> {
  const { inner, options: o, feedback: f, ctx } = options;
  const answer = typeof f.answer === "string" ? f.answer : resultText(f.answer);
  let correct = f.correct;
  if (correct === undefined && f.gold !== undefined) {
    const given = canonicalAnswer(answer, f.kind);
    correct = given !== undefined && given === (canonicalAnswer(f.gold, f.kind) ?? f.gold.trim());
  }
  if (correct === undefined)
    throw new InvalidRequestError("memory feedback needs `correct` or a `gold` answer", { param: "correct" });
  ctx?.span.event("feedback", { correct, gold: f.gold, note: f.note });
  if (correct || !o.learn) return undefined;
  const known = [f.gold !== undefined ? `The correct answer is: ${f.gold}` : "", f.note ? `Feedback: ${f.note}` : ""]
    .filter(Boolean)
    .join("\n");
  const host = options.host ?? hostOf(ctx);
  const store = await memoryToLearn(o, host);
  try {
    return await distillLesson({
      inner,
      store,
      request: f.request,
      answer,
      feedback: known || "The answer was judged wrong.",
      prompt: o.distill_prompt,
      source: "feedback",
      ctx,
    });
  } finally {
    await store.close();
  }
}
