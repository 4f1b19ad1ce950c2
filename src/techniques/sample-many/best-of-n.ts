import { z } from "zod";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest, Choice } from "../../core/types.ts";
import { meanLogprob } from "../answers/index.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { lmOption } from "../stage/lm-option.ts";
import { runStage } from "../stage/run-stage.ts";
import { degrades, markPartial, sampleStage } from "../stage/sample-stage.ts";
import { perCallOption } from "./per-call-option.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { parseScore } from "./best-of-n-score.ts";
import { clientModel, clientValue } from "../spec/option-trust.ts";

/** One of the n candidates, as a verifier sees it. */
export interface Candidate {
  index: number;
  text: string;
  choice: Choice;
}

/** A verifier for the typed API: a higher score is a better candidate (NaN means "no score"). */
export type Verifier = (candidate: Candidate, request: ChatRequest) => number | Promise<number>;

const defaultJudgePrompt = `You are grading one candidate response to a request.

Request:
{question}

Candidate response:
{answer}

Check the candidate for correctness first (verify any reasoning, calculation or fact it relies on), then for completeness and clarity. Be strict: a confident but wrong response deserves a low score. Explain briefly, then end with a final line of exactly the form "Score: N", where N is an integer from 0 (wrong or useless) to 10 (fully correct and excellent).`;

const options = z.strictObject({
  n: clientValue(z.number().int().min(1).max(1000).default(4)),
  /** Most candidates asked for in one request; more are drawn in several. */
  per_call: clientValue(perCallOption),
  judge: clientValue(
    z
      .union([
        z.enum(["llm", "logprob"]),
        z.custom<Verifier>((v) => typeof v === "function", { message: 'expected "llm", "logprob" or a function' }),
      ])
      .default("llm"),
  ),
  /** The LM that scores candidates for judge=llm (default: the inner LM). */
  judge_model: clientModel(lmOption().optional()),
  /** The judge's prompt; {question} is the last user message, {answer} one candidate. */
  prompt: clientValue(
    templateOption({ text: defaultJudgePrompt, placeholders: ["question", "answer"], required: ["answer"] }),
  ),
});

type Options = z.output<typeof options>;
type Scorer = (candidate: Candidate) => Promise<number | undefined>;

/**
 * Best-of-n with verifier reranking (Cobbe et al. 2021, "Training Verifiers to Solve Math Word
 * Problems"; Stiennon et al. 2020, "Learning to summarize from human feedback"): n candidates in one
 * request, then the one the judge scores highest, returned whole. Judges: `logprob` (highest mean
 * token logprob; logprobs are requested and required), `llm` (a judge model scores each candidate
 * 0–10), or a TypeScript verifier function.
 *
 * The llm judge scores each candidate in its own call, all calls at once, rather than comparing
 * all candidates in one call: that is how a verifier reranks (each solution scored on its own), it
 * takes the wall time of one call, avoids the position bias of long comparative prompts, keeps each
 * prompt small as n grows, and a garbled reply costs one candidate its score instead of the round.
 */
export const bestOfN = defineTechnique({
  name: "best-of-n",
  family: "sample-many",
  paper: "Cobbe et al. 2021, Training Verifiers to Solve Math Word Problems",
  description:
    "Sample n candidates and return the one a judge (LLM score, mean logprob or a verifier function) rates highest.",
  options,
  tunables: { knobs: ["n", "judge"], instructions: ["prompt"] },
  modelOptions: ["judge_model"],
  async run(run, o) {
    const { inner, request, ctx } = run;
    const byLogprob = o.judge === "logprob";
    if (byLogprob && !inner.capabilities.logprobs)
      throw new InvalidRequestError(
        `best-of-n: judge=logprob needs token logprobs, which ${inner.id} does not provide; use judge=llm`,
        { param: "judge" },
      );

    const stage = await sampleStage({
      run,
      name: "sample",
      request: { ...request, ...(byLogprob ? { logprobs: true } : {}) },
      n: o.n,
      perCall: o.per_call,
    });
    const sampled = stage.result;
    const mark = (choice: Choice) => markPartial(run, choice, { ...stage, got: candidates.length });
    const candidates = sampled.choices.map((choice, index): Candidate => ({
      index,
      choice,
      text: contentText(choice.message.content),
    }));
    run.keep(candidates[0]!.choice);
    run.progress({ stage: "sampled", candidates: candidates.length });
    if (byLogprob && candidates.every((c) => !c.choice.logprobs?.content))
      throw new InvalidRequestError(`best-of-n: judge=logprob needs token logprobs, but ${inner.id} returned none`, {
        param: "judge",
      });
    if (candidates.length === 1) return mark(candidates[0]!.choice);
    if (ctx.signal?.aborted) throw new AbortedError();
    const chosen = await pickBest({
      run,
      candidates,
      score: scorer(run, o),
      judge: typeof o.judge === "function" ? "function" : o.judge,
    });
    return mark(chosen.choice);
  },
});

function scorer(run: TechniqueRun, o: Options): Scorer {
  const judge = o.judge;
  if (judge === "logprob") return async (c) => meanLogprob(c.choice);
  if (typeof judge === "function") {
    return async (c) => {
      const value = await judge(c, run.request);
      return typeof value === "number" && !Number.isNaN(value) ? value : undefined;
    };
  }
  const model = o.judge_model ?? run.inner;
  const question = questionOf({ request: run.request, technique: "best-of-n" });
  return async (c) => {
    const prompt = fillTemplate(o.prompt, { question, answer: c.text });
    const reply = await runStage({
      run,
      name: `judge ${c.index + 1}`,
      lm: model,
      request: stageRequest({ request: run.request, prompt, purpose: "note" }),
    });
    return parseScore(resultText(reply));
  };
}

/**
 * Scores every candidate concurrently, keeping the best scored so far (a budget stop returns it).
 * Ties go to the earlier candidate; unscored candidates lose to any scored one; with no scores at all
 * the first candidate stands.
 */
async function pickBest(args: {
  run: TechniqueRun;
  candidates: Candidate[];
  score: Scorer;
  judge: string;
}): Promise<Candidate> {
  const { run, candidates, score, judge } = args;
  const scores: (number | null)[] = candidates.map(() => null);
  let best: { candidate: Candidate; score: number } | undefined;
  let done = 0;
  const settled = await Promise.allSettled(
    candidates.map(async (candidate) => {
      const s = await score(candidate);
      scores[candidate.index] = s ?? null;
      run.ctx.span.event("score", { index: candidate.index, score: s ?? null, judge });
      run.progress({ stage: "scoring", scored: ++done, of: candidates.length });
      if (
        s !== undefined &&
        (!best || s > best.score || (s === best.score && candidate.index < best.candidate.index))
      ) {
        best = { candidate, score: s };
        run.keep(candidate.choice);
      }
    }),
  );
  // A judge call that kept failing leaves its candidate unscored; anything else fails the run.
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected" && !degrades(s.reason));
  if (failed) throw failed.reason;
  const unscored = settled.filter((s) => s.status === "rejected").length;
  if (unscored > 0) run.ctx.span.event("judges failed", { failed: unscored, of: candidates.length });
  const chosen = best?.candidate ?? candidates[0]!;
  run.ctx.span.event("select", { index: chosen.index, score: best?.score ?? null, scores, judge });
  return chosen;
}
