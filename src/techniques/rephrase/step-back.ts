import { z } from "zod";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { finalStage } from "../stage/final-stage.ts";
import { runStage } from "../stage/run-stage.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { clientValue } from "../spec/option-trust.ts";

const stepBackPrompt = `You are an expert at world knowledge. Your task is to step back and paraphrase a question to a more generic step-back question, which is easier to answer: ask about the concept, principle or background the question depends on, not about its particular details.

Original question: {question}

Reply with the step-back question only.`;

const principlesPrompt = `{stepback}

Answer concisely, stating the relevant principles, definitions, formulas or facts.`;

const answerPrompt = `You are an expert of world knowledge. I am going to ask you a question. Your response should be comprehensive and not contradicted with the following context if they are relevant. Otherwise, ignore them if they are not relevant.

{stepback}
{principles}

Original question: {question}`;

const options = z.strictObject({
  stepback_prompt: clientValue(
    templateOption({ text: stepBackPrompt, placeholders: ["question"], required: ["question"] }).describe(
      "Asks for the more abstract step-back question.",
    ),
  ),
  principles_prompt: clientValue(
    templateOption({ text: principlesPrompt, placeholders: ["question", "stepback"], required: ["stepback"] }).describe(
      "Answers the step-back question.",
    ),
  ),
  answer_prompt: clientValue(
    templateOption({
      text: answerPrompt,
      placeholders: ["question", "stepback", "principles"],
      required: ["question", "principles"],
    }).describe("Answers the original question grounded in the principles."),
  ),
});
type Options = z.output<typeof options>;

/**
 * Step-Back Prompting (Zheng et al. 2023, "Take a Step Back: Evoking Reasoning via Abstraction in
 * Large Language Models"): abstraction, then reasoning. The model asks a more generic step-back
 * question, answers it to recall the principles involved, then answers the original question
 * grounded in them. Three calls in sequence; streams the last.
 */
export const stepBack = defineTechnique({
  name: "step-back",
  family: "rephrase",
  paper: "Zheng et al. 2023, Take a Step Back: Evoking Reasoning via Abstraction in Large Language Models",
  description:
    "Asks a more abstract step-back question, answers it, and answers the original question grounded in those principles.",
  options,
  tunables: { instructions: ["stepback_prompt", "principles_prompt", "answer_prompt"] },
  ...finalStage<Options>({ name: "answer", prepare: async (run, o) => ({ request: await groundedRequest(run, o) }) }),
});

async function groundedRequest(run: TechniqueRun, o: Options): Promise<ChatRequest> {
  const question = questionOf({ request: run.request, technique: "step-back" });
  const note = (prompt: string) => stageRequest({ request: run.request, prompt, purpose: "note" });
  const asked = await runStage({
    run,
    name: "step-back question",
    request: note(fillTemplate(o.stepback_prompt, { question })),
  });
  const stepback = resultText(asked).trim();
  run.ctx.span.event("step-back question", { text: stepback });
  const answered = await runStage({
    run,
    name: "principles",
    request: note(fillTemplate(o.principles_prompt, { question, stepback })),
  });
  const principles = resultText(answered).trim();
  run.ctx.span.event("principles", { text: principles });
  return stageRequest({
    request: run.request,
    prompt: fillTemplate(o.answer_prompt, { question, stepback, principles }),
  });
}
