import { z } from "zod";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult, LM, RunContext } from "../../core/types.ts";
import type { Lesson } from "../../store/memory/memory-store.ts";
import {
  defineTechnique,
  type TechniqueBinding,
  type TechniqueFactory,
  type TechniqueLM,
  type TechniqueRun,
} from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { finalStage } from "../stage/final-stage.ts";
import { questionOf } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { distillLesson } from "./distill-lesson.ts";
import { embedderOption } from "./embedder-option.ts";
import { learnFromFeedback, type MemoryFeedback } from "./memory-feedback.ts";
import { distillPrompt, lessonsPrompt } from "./memory-prompts.ts";
import { memoryToLearn, openMemory } from "./open-memory.ts";
import { hostOf } from "../../runtime/host-of.ts";
import { withSystemNote } from "./with-system-note.ts";
import { clientValue, hostResource } from "../spec/option-trust.ts";

/** A verdict on an answer: `false` (or `{ pass: false, feedback }`) makes the memory learn a lesson. */
export type MemoryVerdict = boolean | { pass: boolean; feedback?: string };
export type MemoryVerifier = (answer: string, request: ChatRequest) => MemoryVerdict | Promise<MemoryVerdict>;

const options = z.strictObject({
  store: hostResource(
    z
      .string()
      .min(1)
      .optional()
      .describe(
        "Lessons file, or a name for <state>/<name>.memory.sqlite (default: LMX_MEMORY, config memory.path, <state>/memory.sqlite).",
      ),
    { grant: "memoryStores", unsetIsHost: true },
  ),
  k: clientValue(z.int().min(0).max(20).default(3).describe("Lessons recalled into the system prompt (0: none).")),
  learn: clientValue(z.boolean().default(true).describe("Store a lesson when an answer is judged wrong.")),
  verifier: hostResource(
    z
      .custom<MemoryVerifier>(
        (v) => typeof v === "function",
        "must be a function (answer, request) => boolean | {pass, feedback}",
      )
      .optional()
      .describe(
        "From code: (answer, request) => boolean | {pass, feedback}; a failed answer teaches a lesson at once.",
      ),
  ),
  embedder: hostResource(
    embedderOption().describe('"auto" (the store\'s own), "none" (BM25 only) or an embedder spec.'),
    { clientMay: (v) => v === "auto" || v === "none" },
  ),
  lessons_prompt: clientValue(
    templateOption({ text: lessonsPrompt, placeholders: ["lessons"], required: ["lessons"] }).describe(
      "Added to the system prompt; {lessons} is a numbered list.",
    ),
  ),
  distill_prompt: clientValue(
    templateOption({
      text: distillPrompt,
      placeholders: ["question", "answer", "feedback"],
      required: ["answer"],
    }).describe("Asks for the lesson behind a wrong answer; {feedback} is the gold answer, note or checker's words."),
  ),
});
export type MemoryOptions = z.output<typeof options>;

/** The technique itself; `memory` below adds `feedback()` to the LMs it makes. */
const base = defineTechnique({
  name: "memory",
  family: "beyond-context",
  paper: "Zhao et al. 2024, ExpeL: LLM Agents Are Experiential Learners",
  description:
    "Recalls lessons from past mistakes into the prompt, and learns a new lesson whenever an answer is judged wrong.",
  options,
  tunables: { knobs: ["k"], instructions: ["lessons_prompt", "distill_prompt"] },
  ...finalStage<MemoryOptions>({
    name: "answer",
    prepare: async (run, o) => ({ request: await recall(run, o) }),
    async finish(result, _prepared, run, o) {
      await verifyAndLearn(run, o, result);
      return result;
    },
  }),
});

/** An LM with a memory: `feedback()` teaches it from an evaluation of one of its answers. */
export interface MemoryLM extends TechniqueLM {
  feedback(feedback: MemoryFeedback, ctx?: RunContext): Promise<Lesson | undefined>;
}

/**
 * A persistent memory of lessons (after Zhao et al. 2024, "ExpeL: LLM Agents Are Experiential
 * Learners", and Shinn et al. 2023, "Reflexion", whose lessons live only within one task): before
 * answering, the lessons most relevant to the question are recalled from a SQLite store into the
 * system prompt; after an answer is judged wrong (by the `verifier` option, or later through
 * `feedback()` with the gold answer or a note), the LM distils the general lesson that would have
 * avoided the mistake, and it is stored for every later question. The answer streams.
 */
export const memory = Object.assign(
  (inner: LM, rawOptions?: z.input<typeof options>, bound?: TechniqueBinding): MemoryLM => {
    const lm = base(inner, rawOptions, bound);
    const o = lm.technique.options as MemoryOptions;
    return Object.assign(lm, {
      feedback: (feedback: MemoryFeedback, ctx?: RunContext) =>
        learnFromFeedback({ inner, options: o, feedback, ctx, host: ctx?.host ?? bound?.host }),
    });
  },
  { definition: base.definition },
) satisfies TechniqueFactory<typeof options>;

/** The request with the recalled lessons added to its system prompt (as it is when there are none). */
async function recall(run: TechniqueRun, o: MemoryOptions): Promise<ChatRequest> {
  if (run.ctx.signal?.aborted) throw new AbortedError();
  if (o.k === 0) return run.request;
  const question = questionOf({ request: run.request, technique: "memory" });
  const host = hostOf(run.ctx);
  const store = await openMemory({ store: o.store, embedder: o.embedder, owner: o, create: false, host });
  if (!store) {
    const path = host.storeLocation("memory", o.store).path;
    run.ctx.span.event("lessons", { store: path, lessons: [], note: "no lessons learned yet" });
    return run.request;
  }
  try {
    const hits = await store.search(question, { k: o.k, ctx: run.ctx });
    await store.markUsed(hits.map((h) => h.id));
    run.ctx.span.event("lessons", {
      store: (await store.stats()).path,
      lessons: hits.map((h) => ({ id: h.id, text: h.text, score: h.score, ranker: h.ranker })),
    });
    run.progress({ stage: "recalled", lessons: hits.length });
    if (hits.length === 0) return run.request;
    return withSystemNote(
      run.request,
      fillTemplate(o.lessons_prompt, { lessons: hits.map((h, i) => `${i + 1}. ${h.text}`).join("\n") }),
    );
  } finally {
    await store.close();
  }
}

/** With a verifier: judge the answer, and learn a lesson from a wrong one. */
async function verifyAndLearn(run: TechniqueRun, o: MemoryOptions, result: ChatResult): Promise<void> {
  run.keep(result);
  if (!o.learn || !o.verifier || result.choices[0]?.message.tool_calls?.length) return;
  const answer = resultText(result);
  const verdict = await o.verifier(answer, run.request);
  const pass = typeof verdict === "boolean" ? verdict : verdict.pass;
  const feedback = typeof verdict === "boolean" ? undefined : verdict.feedback;
  run.ctx.span.event("verification", { pass, feedback });
  if (pass) return;
  if (run.ctx.signal?.aborted) throw new AbortedError();
  const host = hostOf(run.ctx);
  const store = await memoryToLearn(o, host);
  try {
    const text = feedback
      ? `A checker found this wrong with the answer: ${feedback}`
      : "A checker judged the answer wrong.";
    await distillLesson({
      inner: run.inner,
      store,
      request: run.request,
      answer,
      feedback: text,
      prompt: o.distill_prompt,
      source: "verifier",
      ctx: run.ctx,
    });
  } catch (error) {
    // The answer is complete; running out of budget only means this lesson is not learned.
    if (!BudgetExceededError.isInstance(error)) throw error;
    run.ctx.span.event("learning skipped", { reason: (error as Error).message });
  } finally {
    await store.close();
  }
}
