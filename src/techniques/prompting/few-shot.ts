import { z } from "zod";
import { lastUserText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { finalStage } from "../stage/final-stage.ts";
import { demoSchema, loadDemos, type Demo } from "./load-demos.ts";
import { withDemos } from "./with-demos.ts";
import { clientValue, hostResource } from "../spec/option-trust.ts";

/** A path keeps the spec printable (`few-shot(demos=./tuned/demos.json)`); it is checked when the LM is made. */
const demosOption = z
  .union([z.string().refine((s) => s.trim().length > 0, "must be a non-empty path"), z.array(demoSchema)])
  .superRefine((value, ctx) => {
    if (typeof value !== "string") return;
    try {
      loadDemos({ path: value });
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  })
  .default([]);

const options = z.strictObject({
  demos: hostResource(
    demosOption.describe(
      "Demonstrations: a list of {question, answer} objects, or the path of a file of them (a JSON array or JSON lines; relative to the current folder).",
    ),
    { grant: "demoSets", clientMay: (v) => Array.isArray(v) },
  ),
  k: clientValue(
    z
      .int()
      .min(1)
      .max(64)
      .default(3)
      .describe("How many demonstrations to show: the first k, skipping any whose question is the one being asked."),
  ),
});

/**
 * Few-shot prompting (Brown et al. 2020, "Language Models are Few-Shot Learners"): worked examples
 * go before the question as earlier user/assistant turns, so the model answers in their manner
 * (format, reasoning, length). The system prompt stays first; a demonstration of the very question
 * asked is skipped, so demos drawn from a dataset never hand a question its own answer. With no
 * demos it passes the request through. One call; streams.
 */
export const fewShot = defineTechnique({
  name: "few-shot",
  family: "prompting",
  paper: "Brown et al. 2020, Language Models are Few-Shot Learners",
  description: "Prepends k demonstrations (question, full response) as earlier turns of the conversation.",
  options,
  tunables: { knobs: ["k"], demos: { option: "demos", count: "k" } },
  handlesN: true,
  ...finalStage<z.output<typeof options>>({ name: "answer", prepare: (run, o) => ({ request: prompted(run, o) }) }),
});

function prompted(run: TechniqueRun, o: z.output<typeof options>): ChatRequest {
  const all: readonly Demo[] = typeof o.demos === "string" ? loadDemos({ path: o.demos }) : o.demos;
  const question = lastUserText(run.request).trim();
  const chosen = all.filter((d) => d.question.trim() !== question).slice(0, o.k);
  run.ctx.span.event("demos", {
    shown: chosen.length,
    available: all.length,
    questions: chosen.map((d) => clip(d.question)),
  });
  return withDemos({ request: run.request, demos: chosen });
}

function clip(text: string): string {
  const t = text.trim();
  return t.length > 80 ? `${t.slice(0, 79)}…` : t;
}
