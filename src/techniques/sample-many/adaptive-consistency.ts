import { z } from "zod";
import type { Choice } from "../../core/types.ts";
import {
  answerOption,
  answerTrust,
  answersOf,
  confidenceVote,
  keepOption,
  needsConfidence,
  parseAnswerKind,
  parseKeep,
  vote,
  voteCertainty,
  voteSummary,
  weightOption,
} from "../answers/index.ts";
import { confidenceRequest } from "./confidence-request.ts";
import { defineTechnique } from "../define-technique.ts";
import { markPartial, sampleStage } from "../stage/sample-stage.ts";
import { perCallOption } from "./per-call-option.ts";
import { isSettled } from "./adaptive-consistency-criteria.ts";
import { clientValue } from "../spec/option-trust.ts";

const options = z
  .strictObject({
    max: clientValue(z.int().min(1).max(1000).default(10).describe("Never more samples than this.")),
    min: clientValue(
      z
        .int()
        .min(1)
        .max(1000)
        .default(3)
        .describe("Never stop before this many samples; they are drawn together in the first batch."),
    ),
    batch: clientValue(
      z
        .int()
        .min(1)
        .max(1000)
        .default(1)
        .describe("Samples per later batch: 1 stops soonest; larger batches save round trips."),
    ),
    criterion: clientValue(
      z
        .enum(["beta", "dirichlet", "window"])
        .default("beta")
        .describe(
          "beta and dirichlet: posterior confidence that the leader is ahead; window: ESC's run of agreeing samples.",
        ),
    ),
    threshold: clientValue(
      z.number().gt(0).lt(1).default(0.95).describe("Confidence at which beta and dirichlet stop."),
    ),
    window: clientValue(
      z.int().min(1).max(128).default(4).describe("Consecutive agreeing samples at which window stops."),
    ),
    answer: answerTrust(
      answerOption.describe(
        "How answers are extracted and compared: auto, number, choice, text, literal, date or regex:<pattern>.",
      ),
    ),
    temperature: clientValue(
      z
        .number()
        .min(0)
        .max(2)
        .optional()
        .describe("Sampling temperature for the samples (default: the request's own)."),
    ),
    per_call: clientValue(perCallOption),
    weight: clientValue(weightOption),
    keep: clientValue(keepOption),
  })
  .refine((o) => o.min <= o.max, { message: "min must not exceed max", path: ["min"] });

/**
 * Adaptive-Consistency (Aggarwal et al. 2023, "Let's Sample Step by Step: Adaptive-Consistency for
 * Efficient Reasoning and Coding with LLMs"), with the ESC window rule (Li et al. 2024, "Escape
 * Sky-high Cost: Early-stopping Self-Consistency for Multi-step Reasoning"): self-consistency that
 * samples in batches and stops as soon as the leading answer is settled, never before `min` samples
 * and never beyond `max`, or as soon as it is decided (no remaining sample up to `max` could change
 * the winner, even before `min`). Each batch asks for fresh sample indices. Defaults follow the paper (Beta
 * criterion, threshold 0.95); with min 3 and batch 1, unanimous answers stop after 4 samples. On the
 * CRUXEval replay (bench/consistency.ts) these match self-consistency(n=10) with under half its samples;
 * larger batches or a stricter threshold spend more samples for no accuracy there.
 */
export const adaptiveConsistency = defineTechnique({
  name: "adaptive-consistency",
  family: "sample-many",
  paper:
    "Aggarwal et al. 2023, Let's Sample Step by Step: Adaptive-Consistency for Efficient Reasoning and Coding with LLMs",
  description:
    "Samples in small batches and stops as soon as the majority answer is statistically settled (Beta, Dirichlet or ESC window).",
  options,
  tunables: { knobs: ["max", "min", "batch", "criterion", "threshold"] },
  async run(run, o) {
    const kind = parseAnswerKind(o.answer);
    const keep = parseKeep(o.keep);
    const confident = needsConfidence(o.weight, keep);
    const request = {
      ...run.request,
      ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
      ...(confident ? confidenceRequest(run, "adaptive-consistency") : {}),
    };
    const base = run.ctx.sampleOffset ?? 0;
    const samples: Choice[] = [];
    let failed = 0;

    // Ends by returning: at the latest when `max` samples are in.
    for (let batch = 1; ; batch++) {
      const size = Math.min(o.max - samples.length, batch === 1 ? Math.max(o.min, o.batch) : o.batch);
      const stage = await sampleStage({
        run,
        name: `batch ${batch}`,
        request,
        n: size,
        perCall: o.per_call,
        sampleOffset: base + samples.length,
      });
      const result = stage.result;
      samples.push(...result.choices);
      failed += stage.failed;

      const v = confident ? confidenceVote(samples, kind, { weight: o.weight, keep }) : vote(samples, kind);
      const chosen = v.representative ?? samples[0]!;
      run.keep(chosen);
      const { stop: met, ...figures } = isSettled({
        criterion: o.criterion,
        threshold: o.threshold,
        window: o.window,
        answers: answersOf(v),
        counts: v.groups.map((g) => g.count),
      });
      const cut = stage.cut > 0;
      // Decided: no draw up to `max` can change the winner, so more samples are wasted whatever the criterion.
      // (Counts only: a weighted or filtered vote can still turn.)
      const decided =
        !confident &&
        voteCertainty({ counts: v.groups.map((g) => g.count), drawn: samples.length, total: o.max }).leaderFixed;
      const reason = cut
        ? "budget"
        : samples.length >= o.min && met
          ? "settled"
          : samples.length >= o.max
            ? "max"
            : decided
              ? "decided"
              : undefined;
      const stop = reason !== undefined;
      run.ctx.span.event("vote", {
        batch,
        samples: samples.length,
        ...voteSummary(v),
        criterion: o.criterion,
        ...figures,
        criterion_met: met,
        stop,
        reason: reason ?? null,
      });
      run.progress({
        stage: stop ? "stopped" : "sampling",
        batch,
        samples: samples.length,
        winner: v.winner?.answer ?? null,
        ...figures,
      });
      if (!stop) continue;

      // Samples that failed after their retries are left out of the vote and mark the answer "partial".
      return {
        ...result,
        choices: [
          markPartial(run, chosen, {
            got: samples.length,
            asked: samples.length + failed + stage.cut,
            failed,
            cut: stage.cut,
          }),
        ],
      };
    }
  },
});
