import { z } from "zod";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { Choice } from "../../core/types.ts";
import { defineTechnique } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { runStage } from "../stage/run-stage.ts";
import { markPartial, sampleStage } from "../stage/sample-stage.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { parseSelection } from "./universal-self-consistency-parse.ts";
import { clientValue } from "../spec/option-trust.ts";

/** The paper's selection prompt, with responses numbered from 1. */
const defaultPrompt = `I have generated the following responses to the question: {question}

{responses}

Evaluate these responses.
Select the most consistent response based on majority consensus.
Start your answer with "The most consistent response is Response X" (without quotes).`;

const options = z.strictObject({
  n: clientValue(z.number().int().min(2).max(64).default(5)),
  /** The selection prompt; {question} is the last user message, {responses} the numbered responses. */
  prompt: clientValue(
    templateOption({ text: defaultPrompt, placeholders: ["question", "responses"], required: ["responses"] }),
  ),
});

/**
 * Universal self-consistency (Chen et al. 2023, "Universal Self-Consistency for Large Language
 * Model Generation"): n free-form responses in one request, then the LM itself picks the response
 * most consistent with the others. Unlike majority voting it needs no answer extraction, so it works
 * for free-form output (summaries, code, open questions). An unparseable selection falls back to the
 * first response.
 */
export const universalSelfConsistency = defineTechnique({
  name: "universal-self-consistency",
  family: "sample-many",
  paper: "Chen et al. 2023, Universal Self-Consistency for Large Language Model Generation",
  description: "Sample n free-form responses and let the LM select the one most consistent with the others.",
  options,
  tunables: { knobs: ["n"], instructions: ["prompt"] },
  async run(run, o) {
    const { request, ctx } = run;
    const question = questionOf({ request, technique: "universal-self-consistency" });
    const stage = await sampleStage({ run, name: "sample", request, n: o.n });
    const responses = stage.result.choices;
    const mark = (choice: Choice) => markPartial(run, choice, { ...stage, got: responses.length });
    run.keep(responses[0]!);
    run.progress({ stage: "sampled", responses: responses.length });
    if (responses.length === 1) return mark(responses[0]!);
    if (ctx.signal?.aborted) throw new AbortedError();

    const numbered = responses.map((c, i) => `Response ${i + 1}:\n${contentText(c.message.content)}`).join("\n\n");
    const prompt = fillTemplate(o.prompt, { question, responses: numbered });
    const reply = resultText(
      await runStage({ run, name: "select", request: stageRequest({ request, prompt, purpose: "note" }) }),
    );
    const parsed = parseSelection(reply, responses.length);
    const index = parsed ?? 0;
    ctx.span.event("select", { index, parsed: parsed !== undefined, reply: reply.slice(0, 500) });
    return mark(responses[index]!);
  },
});
