import { markBudgetCut } from "./mark-budget-cut.ts";
import { z } from "zod";
import { answerOption, parseAnswerKind, vote, voteSummary } from "../answers/index.ts";
import { defineTechnique } from "../define-technique.ts";
import { runStage } from "../stage/run-stage.ts";
import { clientValue } from "../spec/option-trust.ts";

const options = z.strictObject({
  n: clientValue(z.int().min(1).max(128).default(5).describe("Samples to vote over, asked for in one request (native-n providers answer it in one call).")),
  answer: clientValue(answerOption.describe("How answers are extracted and compared: auto, number, choice, text, literal, date or regex:<pattern>.")),
  temperature: clientValue(z.number().min(0).max(2).optional().describe("Sampling temperature for the samples (default: the request's own).")),
});

/**
 * Self-consistency (Wang et al. 2022, "Self-Consistency Improves Chain of Thought Reasoning in
 * Language Models"): sample n reasoning paths in one request, extract each final answer, and return a
 * full response of the majority answer (ties: higher mean logprob when the samples carry logprobs,
 * else the answer seen first). Samples without an extractable answer abstain; if all do, the first
 * sample is returned. When a budget stops some of the samples, the vote is over those that came back
 * and the result is marked finish_reason "budget".
 */
export const selfConsistency = defineTechnique({
  name: "self-consistency",
  family: "sample-many",
  paper: "Wang et al. 2022, Self-Consistency Improves Chain of Thought Reasoning in Language Models",
  description: "Samples n answers in one request and returns a full response of the majority answer.",
  options,
  async run(run, o) {
    const kind = parseAnswerKind(o.answer);
    const request = { ...run.request, n: o.n, ...(o.temperature === undefined ? {} : { temperature: o.temperature }) };
    const sampled = await runStage({ run, name: "sample", request });
    const v = vote(sampled.choices, kind);
    const chosen = v.representative ?? sampled.choices[0]!;
    run.keep(chosen);
    const summary = voteSummary(v);
    run.ctx.span.event("vote", summary);
    run.progress({ stage: "voted", samples: v.total, winner: summary.winner, votes: v.winner?.count ?? 0 });

    return { ...sampled, choices: [markBudgetCut(run, chosen, sampled.choices.length, o.n)] };
  },
});
