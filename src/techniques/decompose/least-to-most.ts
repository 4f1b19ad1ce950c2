import { z } from "zod";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { finalStage } from "../stage/final-stage.ts";
import { runStage } from "../stage/run-stage.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { parseSubquestions } from "./parse-subquestions.ts";
import { clientValue } from "../spec/option-trust.ts";

const decomposePrompt = `Break the question below into simpler subquestions whose answers build up to its answer, ordered so that each can be answered from the answers before it. Use at most {max_subproblems} subquestions; fewer are better when the question is simple.

Question: {question}

Reply with a numbered list of subquestions only, one per line.`;

const solvePrompt = `We are answering this question one subquestion at a time:
{question}

{solved}Answer this subquestion concisely: {subquestion}`;

const answerPrompt = `{question}

Answers to the subquestions of this question:
{solved}
Using them, answer the original question.`;

const options = z.strictObject({
  max_subproblems: clientValue(
    z.int().min(1).max(20).default(5).describe("The most subquestions solved; a longer decomposition is cut."),
  ),
  decompose_prompt: clientValue(
    templateOption({
      text: decomposePrompt,
      placeholders: ["question", "max_subproblems"],
      required: ["question"],
    }).describe("Asks for a numbered list of subquestions."),
  ),
  solve_prompt: clientValue(
    templateOption({
      text: solvePrompt,
      placeholders: ["question", "solved", "subquestion"],
      required: ["subquestion"],
    }).describe("{solved} is the earlier subquestions and answers, with a heading, or empty for the first."),
  ),
  answer_prompt: clientValue(
    templateOption({
      text: answerPrompt,
      placeholders: ["question", "solved"],
      required: ["question", "solved"],
    }).describe("The final answer call; {solved} is every subquestion with its answer."),
  ),
});
type Options = z.output<typeof options>;

/**
 * Least-to-Most Prompting (Zhou et al. 2022, "Least-to-Most Prompting Enables Complex Reasoning
 * in Large Language Models"): decompose the question into simpler subquestions, solve them in
 * order with the earlier questions and answers in context, then answer the original question
 * from all the answers. A decomposition with no subquestions answers the question directly.
 * Streams the final call.
 */
export const leastToMost = defineTechnique({
  name: "least-to-most",
  family: "decompose",
  paper: "Zhou et al. 2022, Least-to-Most Prompting Enables Complex Reasoning in Large Language Models",
  description:
    "Splits the question into simpler subquestions, solves them in order, then answers it from their answers.",
  options,
  tunables: { knobs: ["max_subproblems"], instructions: ["decompose_prompt", "solve_prompt", "answer_prompt"] },
  ...finalStage<Options>({ name: "answer", prepare: async (run, o) => ({ request: await finalRequest(run, o) }) }),
});

async function finalRequest(run: TechniqueRun, o: Options): Promise<ChatRequest> {
  const question = questionOf({ request: run.request, technique: "least-to-most" });
  const note = (prompt: string) => stageRequest({ request: run.request, prompt, purpose: "note" });
  const plan = await runStage({
    run,
    name: "decompose",
    request: note(fillTemplate(o.decompose_prompt, { question, max_subproblems: o.max_subproblems })),
  });
  const subquestions = parseSubquestions({ text: resultText(plan), max: o.max_subproblems });
  run.ctx.span.event("decomposition", { subquestions });
  if (subquestions.length === 0) return run.request;

  // Sequential on purpose: each subquestion is solved with the answers before it.
  const solved: { question: string; answer: string }[] = [];
  for (const [i, subquestion] of subquestions.entries()) {
    const prompt = fillTemplate(o.solve_prompt, {
      question,
      subquestion,
      solved: solved.length ? `Solved so far:\n${pairs(solved)}\n\n` : "",
    });
    const answer = resultText(await runStage({ run, name: `subquestion ${i + 1}`, request: note(prompt) })).trim();
    solved.push({ question: subquestion, answer });
    run.ctx.span.event("subanswer", { index: i, question: subquestion, answer });
    run.progress({ solved: i + 1, of: subquestions.length });
  }
  return stageRequest({
    request: run.request,
    prompt: fillTemplate(o.answer_prompt, { question, solved: pairs(solved) }),
  });
}

function pairs(solved: { question: string; answer: string }[]): string {
  return solved.map((s, i) => `Q${i + 1}: ${s.question}\nA${i + 1}: ${s.answer}`).join("\n");
}
