import { contentText } from "../../core/messages.ts";
import type { Choice, LM } from "../../core/types.ts";
import { vote, voteCertainty, type AnswerKind } from "../answers/index.ts";
import type { TechniqueRun } from "../define-technique.ts";
import { parseVerdict } from "../iterate/parse-verdict.ts";
import { fillTemplate } from "../prompt-template.ts";
import { runStage } from "../stage/run-stage.ts";
import { stageRequest } from "../stage/stage-request.ts";

/** A model's answer at one rung of the ladder and how sure the cascade is of it. */
export interface RungOutcome {
  answer: Choice;
  confidence: number;
  /** What the confidence was computed from, for the trace. */
  evidence: Record<string, unknown>;
}

interface RungOptions {
  run: TechniqueRun;
  lm: LM;
  /** 1-based position on the ladder, for stage names. */
  step: number;
  samples: number;
}

/**
 * AutoMix self-verification: one answer, then `samples` verdicts of the same model on it, sampled
 * at temperature 1 in one request so they can disagree. Confidence is the share of "correct"
 * verdicts among those asked for; an unreadable verdict, or one a budget cut, counts against, as it
 * gives no evidence the answer is right.
 */
export async function selfVerified(options: RungOptions & { question: string; prompt: string }): Promise<RungOutcome> {
  const { run, lm, step, samples } = options;
  const answered = await runStage({ run, name: `answer ${step}`, lm, request: withoutN(run.request) });
  const answer = answered.choices[0]!;
  run.keep(answer);
  const prompt = fillTemplate(options.prompt, {
    question: options.question,
    answer: contentText(answer.message.content),
  });
  const request = { ...stageRequest({ request: run.request, prompt, purpose: "note" }), n: samples, temperature: 1 };
  const verdicts = (await runStage({ run, name: `verify ${step}`, lm, request })).choices.map(
    (c) => parseVerdict(contentText(c.message.content)) ?? null,
  );
  const correct = verdicts.filter((v) => v === true).length;
  return { answer, confidence: correct / samples, evidence: { verdicts } };
}

/**
 * Agreement: `samples` answers, drawn `batch` at a time; confidence is the leading canonical answer's
 * share of the samples asked for (abstentions and samples a budget cut count against), and the
 * answer is a full response of that group. Drawing stops as soon as the decision is certain: the
 * leader can no longer reach `threshold` (escalate), or holds it and cannot be overtaken (accept),
 * so the decision is the one all `samples` would give.
 */
export async function agreed(
  options: RungOptions & { kind: AnswerKind; temperature?: number; threshold: number; batch?: number },
): Promise<RungOutcome> {
  const { run, lm, step, samples, threshold } = options;
  const batch = Math.min(options.batch ?? samples, samples);
  // Greedy samples always agree, which would make every answer look certain.
  const temperature = options.temperature ?? (run.request.temperature === 0 ? 0.7 : run.request.temperature);
  const request = { ...run.request, ...(temperature === undefined ? {} : { temperature }) };
  const base = run.ctx.sampleOffset ?? 0;
  const drawn: Choice[] = [];
  let result = vote([], options.kind);
  let stop: "decided" | "budget" | "all" = "all";
  for (let b = 1; drawn.length < samples; b++) {
    const size = Math.min(batch, samples - drawn.length);
    const name = batch >= samples ? `answer ${step}` : `answer ${step} batch ${b}`;
    const sampled = await runStage({
      run,
      name,
      lm,
      request: { ...request, n: size },
      sampleOffset: base + drawn.length,
    });
    drawn.push(...sampled.choices);
    result = vote(drawn, options.kind);
    if (result.representative ?? drawn[0]) run.keep((result.representative ?? drawn[0])!);
    // The accounting path returns fewer samples than asked only when the budget stopped the rest.
    if (sampled.choices.length < size) {
      stop = "budget";
      break;
    }
    const sure = voteCertainty({
      counts: result.groups.map((g) => g.count),
      drawn: drawn.length,
      total: samples,
      threshold,
    });
    if (drawn.length < samples && (sure.accept || sure.reject)) {
      stop = "decided";
      break;
    }
  }
  const answer = result.representative ?? drawn[0]!;
  const confidence = result.winner ? result.winner.count / samples : 0;
  const votes = result.groups.map((g) => ({ answer: g.answer, count: g.count }));
  run.ctx.span.event("vote", {
    step,
    votes,
    abstained: result.abstained,
    winner: result.winner?.answer ?? null,
    drawn: drawn.length,
    planned: samples,
    stop,
  });
  return {
    answer,
    confidence,
    evidence: { votes, abstained: result.abstained, drawn: drawn.length, planned: samples },
  };
}

function withoutN<T extends { n?: number }>(request: T): T {
  const { n: _n, ...rest } = request;
  return rest as T;
}
