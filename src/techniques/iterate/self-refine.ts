import { z } from "zod";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatResult, Choice } from "../../core/types.ts";
import { defineTechnique } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { lmOption } from "../stage/lm-option.ts";
import { runStage } from "../stage/run-stage.ts";
import { markRoundFailed, tryRound } from "../stage/try-round.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { parseCritique } from "./parse-critique.ts";
import { clientModel, clientValue } from "../spec/option-trust.ts";

const critiquePrompt = `Review the answer below to the question. Be a strict, specific critic.

Question:
{question}

Answer:
{answer}

List the concrete problems: errors of fact, logic or calculation, missing parts, unclear wording. Say how to fix each one. Do not rewrite the answer.
If the answer is correct and complete and nothing should change, write only "{stop_phrase}" instead of a list.
End with a final line of the form "Score: N/10", where 10 means nothing should change.`;

const refinePrompt = `Question:
{question}

Your earlier drafts of an answer and the feedback on each, oldest first:

{history}

Write an improved answer to the question that fixes every problem raised in the latest feedback and keeps what was already right. Reply with the improved answer only, without remarks about the changes.`;

const options = z.strictObject({
  rounds: clientValue(
    z
      .int()
      .min(1)
      .max(10)
      .default(3)
      .describe("Refinements at most; every draft, the last included, is critiqued so that it has a score."),
  ),
  critic: clientModel(
    lmOption()
      .optional()
      .describe("The model that writes the feedback (default: the inner LM itself, as in the paper)."),
  ),
  stop_phrase: clientValue(
    z.string().trim().min(1).default("NO ISSUES").describe("A feedback line starting with this ends the loop."),
  ),
  stop_score: clientValue(
    z.number().min(0).max(10).default(10).describe("A score (out of 10) at or above this ends the loop."),
  ),
  critique_prompt: clientValue(
    templateOption({
      text: critiquePrompt,
      placeholders: ["question", "answer", "stop_phrase"],
      required: ["answer"],
    }).describe('Asks for concrete problems and a final "Score: N/10" line.'),
  ),
  refine_prompt: clientValue(
    templateOption({ text: refinePrompt, placeholders: ["question", "history", "answer", "feedback"] }).describe(
      "Asks for a rewrite; {history} is every draft with its feedback, {answer} and {feedback} the latest.",
    ),
  ),
});

interface Draft {
  choice: Choice;
  text: string;
  score?: number;
  feedback?: string;
}

/**
 * Self-Refine (Madaan et al. 2023, "Self-Refine: Iterative Refinement with Self-Feedback"):
 * draft, get feedback with a score, rewrite with the history of drafts and feedback, until the
 * critic writes the stop phrase (or a score >= stop_score) or `rounds` refinements are done.
 * A rewrite can make things worse, so the answer is the best-scored draft (ties: the later one);
 * when the critic gives no scores at all, the last draft, as in the paper.
 */
export const selfRefine = defineTechnique({
  name: "self-refine",
  family: "iterate",
  paper: "Madaan et al. 2023, Self-Refine: Iterative Refinement with Self-Feedback",
  description:
    "Drafts an answer, has a critic list its problems and score it, rewrites it with the feedback, and returns the best-scored draft.",
  options,
  tunables: { knobs: ["rounds"], instructions: ["critique_prompt", "refine_prompt"] },
  modelOptions: ["critic"],
  async run(run, o) {
    const question = questionOf({ request: run.request, technique: "self-refine" });
    const drafts: Draft[] = [];
    const add = (result: ChatResult, round: number) => {
      const choice = result.choices[0]!;
      drafts.push({ choice, text: contentText(choice.message.content) });
      run.ctx.span.event("draft", { round, text: drafts.at(-1)!.text });
      run.keep(best(drafts).choice);
    };

    const first = await runStage({ run, name: "draft", request: run.request });
    add(first, 0);
    // Tool calls are for the caller to run, not text to polish.
    if (first.choices[0]?.message.tool_calls?.length) return first;

    // A critique or refine call that keeps failing ends the rounds: the best draft so far, marked partial.
    let failed = false;
    for (let round = 0; ; round++) {
      const draft = drafts[round]!;
      const prompt = fillTemplate(o.critique_prompt, { question, answer: draft.text, stop_phrase: o.stop_phrase });
      const critique = await tryRound(run, "critique", () =>
        runStage({
          run,
          name: "critique",
          lm: o.critic,
          request: stageRequest({ request: run.request, prompt, purpose: "note" }),
        }),
      );
      if (!critique) {
        failed = true;
        break;
      }
      draft.feedback = resultText(critique);
      const verdict = parseCritique({ text: draft.feedback, stopPhrase: o.stop_phrase });
      draft.score = verdict.score;
      const done = verdict.done || (verdict.score !== undefined && verdict.score >= o.stop_score);
      run.ctx.span.event("critique", { round, text: draft.feedback, score: verdict.score ?? null, done });
      run.keep(best(drafts).choice);
      run.progress({ round, score: verdict.score ?? null, best_score: best(drafts).score ?? null });
      if (done || round >= o.rounds) break;

      const refine = fillTemplate(o.refine_prompt, {
        question,
        history: history(drafts),
        answer: draft.text,
        feedback: draft.feedback,
      });
      const refined = await tryRound(run, "refine", () =>
        runStage({ run, name: "refine", request: stageRequest({ request: run.request, prompt: refine }) }),
      );
      if (!refined) {
        failed = true;
        break;
      }
      add(refined, round + 1);
    }

    const chosen = best(drafts);
    run.ctx.span.event("selected", {
      round: drafts.indexOf(chosen),
      score: chosen.score ?? null,
      drafts: drafts.length,
    });
    return failed ? markRoundFailed(chosen.choice) : chosen.choice;
  },
});

/** The best-scored draft, the later one on ties; with no scores yet, the latest draft. */
function best(drafts: Draft[]): Draft {
  let chosen: Draft | undefined;
  for (const d of drafts) if (d.score !== undefined && (chosen === undefined || d.score >= chosen.score!)) chosen = d;
  return chosen ?? drafts.at(-1)!;
}

function history(drafts: Draft[]): string {
  return drafts
    .map((d, i) => `Draft ${i + 1}:\n${d.text}\n\nFeedback on draft ${i + 1}:\n${d.feedback ?? "(none)"}`)
    .join("\n\n");
}
