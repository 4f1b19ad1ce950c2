import { z } from "zod";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { finalStage } from "../stage/final-stage.ts";
import { lmOption } from "../stage/lm-option.ts";
import { runStage } from "../stage/run-stage.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { clientModel, clientValue } from "../spec/option-trust.ts";

const options = z
  .strictObject({
    mode: clientValue(
      z
        .enum(["one-step", "two-step"])
        .default("one-step")
        .describe("one-step: rephrase and answer in one call; two-step: rephrase, then answer."),
    ),
    rephraser: clientModel(
      lmOption().optional().describe("Two-step only: the model that rephrases (default: the inner LM)."),
    ),
    one_step_prompt: clientValue(
      templateOption({
        text: "{question}\nRephrase and expand the question, and respond.",
        placeholders: ["question"],
        required: ["question"],
      }).describe("One-step prompt."),
    ),
    rephrase_prompt: clientValue(
      templateOption({
        text: "{question}\nGiven the above question, rephrase and expand it to help you do better answering. Maintain all information in the original question.",
        placeholders: ["question"],
        required: ["question"],
      }).describe("Two-step: asks for the rephrased question."),
    ),
    respond_prompt: clientValue(
      templateOption({
        text: "(original) {question}\n(rephrased) {rephrased}\nUse your answer for the rephrased question to answer the original question.",
        placeholders: ["question", "rephrased"],
        required: ["rephrased"],
      }).describe("Two-step: the answer call, with the original and the rephrased question."),
    ),
  })
  .refine((o) => o.mode === "two-step" || o.rephraser === undefined, {
    message: "rephraser needs mode=two-step",
    path: ["rephraser"],
  });
type Options = z.output<typeof options>;

/**
 * Rephrase and Respond (Deng et al. 2023, "Rephrase and Respond: Let Large Language Models Ask
 * Better Questions for Themselves"). One-step: the question is followed by "Rephrase and expand
 * the question, and respond." Two-step: one call (optionally to another, stronger model)
 * rephrases the question, then the answer call sees the original and the rephrased question.
 * Streams the answer call.
 */
export const rephraseAndRespond = defineTechnique({
  name: "rephrase-and-respond",
  family: "rephrase",
  paper: "Deng et al. 2023, Rephrase and Respond: Let Large Language Models Ask Better Questions for Themselves",
  description: "Has the model rephrase and expand the question before answering it.",
  options,
  tunables: { knobs: ["mode"], instructions: ["one_step_prompt", "rephrase_prompt", "respond_prompt"] },
  modelOptions: ["rephraser"],
  ...finalStage<Options>({ name: "respond", prepare: async (run, o) => ({ request: await respondRequest(run, o) }) }),
});

async function respondRequest(run: TechniqueRun, o: Options): Promise<ChatRequest> {
  const question = questionOf({ request: run.request, technique: "rephrase-and-respond" });
  if (o.mode === "one-step")
    return stageRequest({ request: run.request, prompt: fillTemplate(o.one_step_prompt, { question }) });
  const prompt = fillTemplate(o.rephrase_prompt, { question });
  const reply = await runStage({
    run,
    name: "rephrase",
    lm: o.rephraser,
    request: stageRequest({ request: run.request, prompt, purpose: "note" }),
  });
  const rephrased = stripLabel(resultText(reply));
  run.ctx.span.event("rephrased", { text: rephrased });
  return stageRequest({ request: run.request, prompt: fillTemplate(o.respond_prompt, { question, rephrased }) });
}

/** Models often open with a label ("Rephrased question:"); the answer prompt adds its own. */
function stripLabel(text: string): string {
  return text.replace(/^\s*[*_]*(?:rephrased|expanded)[^:\n]{0,40}:[*_]*\s*/i, "").trim();
}
