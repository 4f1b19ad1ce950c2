import { z } from "zod";
import type { ChatRequest } from "../../core/types.ts";
import { defineTechnique } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { finalStage } from "../stage/final-stage.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { clientValue } from "../spec/option-trust.ts";

const options = z.strictObject({
  reads: clientValue(
    z.int().min(2).max(5).default(2).describe("How many times the question is read (2 in the paper)."),
  ),
  reread_prompt: clientValue(
    templateOption({
      text: "Read the question again: {question}",
      placeholders: ["question"],
      required: ["question"],
    }).describe("Appended once per extra read, after the question."),
  ),
});

/**
 * RE2 (Xu et al. 2023, "Re-Reading Improves Reasoning in Large Language Models"): the question is
 * followed by "Read the question again: <question>" so that a decoder-only model, which reads left
 * to right, sees every token of the question with the whole question in view. One call; streams.
 */
export const re2 = defineTechnique({
  name: "re2",
  family: "rephrase",
  paper: "Xu et al. 2023, Re-Reading Improves Reasoning in Large Language Models",
  description: 'Repeats the question ("Read the question again: ...") before the model answers it.',
  options,
  tunables: { knobs: ["reads"], instructions: ["reread_prompt"] },
  ...finalStage<z.output<typeof options>>({
    name: "answer",
    prepare: (run, o) => ({ request: reread(run.request, o) }),
  }),
});

function reread(request: ChatRequest, o: z.output<typeof options>): ChatRequest {
  const question = questionOf({ request, technique: "re2" });
  const again = fillTemplate(o.reread_prompt, { question });
  return stageRequest({ request, prompt: [question, ...Array.from({ length: o.reads - 1 }, () => again)].join("\n") });
}
