import { z } from "zod";
import {
  answerOption,
  answerTrust,
  confidenceVote,
  keepOption,
  needsConfidence,
  parseAnswerKind,
  parseKeep,
  vote,
  voteSummary,
  weightOption,
} from "../answers/index.ts";
import { confidenceRequest } from "./confidence-request.ts";
import { defineTechnique } from "../define-technique.ts";
import { markPartial, sampleStage } from "../stage/sample-stage.ts";
import { clientValue } from "../spec/option-trust.ts";
import { perCallOption } from "./per-call-option.ts";

const options = z.strictObject({
  n: clientValue(
    z
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe(
        "Samples to vote over, asked for in one request of at most per_call (native-n providers answer it in one call).",
      ),
  ),
  per_call: clientValue(perCallOption),
  answer: answerTrust(
    answerOption.describe(
      "How answers are extracted and compared: auto, number, choice, text, literal, date or regex:<pattern>.",
    ),
  ),
  temperature: clientValue(
    z.number().min(0).max(2).optional().describe("Sampling temperature for the samples (default: the request's own)."),
  ),
  weight: clientValue(weightOption),
  keep: clientValue(keepOption),
});

/**
 * Self-consistency (Wang et al. 2022, "Self-Consistency Improves Chain of Thought Reasoning in
 * Language Models"): sample n reasoning paths in one request, extract each final answer, and return a
 * full response of the majority answer (ties: higher mean logprob when the samples carry logprobs,
 * else the answer seen first). Samples without an extractable answer abstain; if all do, the first
 * sample is returned. When a budget stops some of the samples, the vote is over those that came back
 * and the result is marked finish_reason "budget"; when some fail after their retries, over those
 * that answered, marked "partial" (an error only when none answered). With `weight=confidence`
 * and/or `keep=top:F`, votes are weighted by, or filtered to the most confident samples by, their
 * token-logprob confidence (Fu et al. 2025, "Deep Think with Confidence"; see confidenceVote).
 */
export const selfConsistency = defineTechnique({
  name: "self-consistency",
  family: "sample-many",
  paper: "Wang et al. 2022, Self-Consistency Improves Chain of Thought Reasoning in Language Models",
  description: "Samples n answers in one request and returns a full response of the majority answer.",
  options,
  tunables: { knobs: ["n", "temperature", "weight"] },
  async run(run, o) {
    const kind = parseAnswerKind(o.answer);
    const keep = parseKeep(o.keep);
    const confident = needsConfidence(o.weight, keep);
    const request = {
      ...run.request,
      ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
      ...(confident ? confidenceRequest(run, "self-consistency") : {}),
    };
    const stage = await sampleStage({ run, name: "sample", request, n: o.n, perCall: o.per_call });
    const sampled = stage.result;
    const v = confident
      ? confidenceVote(sampled.choices, kind, { weight: o.weight, keep })
      : vote(sampled.choices, kind);
    const chosen = v.representative ?? sampled.choices[0]!;
    run.keep(chosen);
    const summary = voteSummary(v);
    run.ctx.span.event("vote", summary);
    run.progress({ stage: "voted", samples: v.total, winner: summary.winner, votes: v.winner?.count ?? 0 });

    return { ...sampled, choices: [markPartial(run, chosen, { ...stage, got: sampled.choices.length })] };
  },
});
