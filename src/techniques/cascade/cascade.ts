import { z } from "zod";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { contentText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult, Choice, LM } from "../../core/types.ts";
import { emptyUsage } from "../../accounting/usage.ts";
import { answerOption, answerTrust, parseAnswerKind } from "../answers/index.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { lmOption } from "../stage/lm-option.ts";
import { runStage, streamStage } from "../stage/run-stage.ts";
import { questionOf } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { agreed, selfVerified, type RungOutcome } from "./cascade-confidence.ts";
import { selfVerificationPrompt } from "./cascade-prompts.ts";
import { clientModel, clientValue } from "../spec/option-trust.ts";

const options = z.strictObject({
  /** The escalation ladder after the inner LM, cheapest to most expensive. */
  models: clientModel(z.array(lmOption()).default([])),
  /** How confidence is measured: `self` = few-shot self-verification, `agreement` = vote share. */
  verify: clientValue(z.enum(["self", "agreement"]).default("self")),
  /** Escalate when confidence is below this. */
  threshold: clientValue(z.number().min(0).max(1).default(0.7)),
  /** Verdicts (self) or answers (agreement) sampled per rung. */
  samples: clientValue(z.number().int().min(1).max(32).default(3)),
  /**
   * Agreement samples per request (default: all `samples` in one). Smaller batches stop as soon as
   * the decision is certain, with the decision all `samples` would give, at fewer samples and more calls.
   */
  batch: clientValue(z.int().min(1).max(32).optional()),
  /** Temperature of the agreement samples (default: the request's own, but 0.7 when that is 0, since greedy samples always agree). */
  temperature: clientValue(z.number().min(0).max(2).optional()),
  /** How answers are compared in agreement mode. (The cast restores the optional input that answerOption's declared type hides.) */
  answer: answerTrust(answerOption as unknown as z.ZodDefault<z.ZodString>),
  /** Self-verification prompt; {question} is the last user message, {answer} the rung's answer. */
  prompt: clientValue(
    templateOption({ text: selfVerificationPrompt, placeholders: ["question", "answer"], required: ["answer"] }),
  ),
});

type Options = z.output<typeof options>;

/** Where the climb ended: an answer accepted below the top, or the top model, which answers unverified. */
type Climb = { accepted: Choice; lm: LM } | { last: LM; step: number };

/**
 * A model cascade (Madaan et al. 2023, "AutoMix: Automatically Mixing Language Models"; Chen et al.
 * 2023, "FrugalGPT"): the inner LM answers first; the answer is verified, and only when confidence is
 * below `threshold` does the next model of `models` try. `self` verification samples the same
 * model's verdicts on its own answer (AutoMix's few-shot self-verification); `agreement` samples
 * several answers and uses the leading answer's vote share. The last model's answer is final and
 * streamed. Every rung's confidence and decision is a span event; a budget stop returns the latest answer.
 */
export const cascade = defineTechnique({
  name: "cascade",
  family: "cascade",
  paper: "Madaan et al. 2023, AutoMix: Automatically Mixing Language Models",
  description:
    "Answer with the cheapest model, verify, and escalate to the next model only when confidence is below a threshold.",
  options,
  tunables: {
    knobs: [{ option: "threshold", values: [0.5, 0.7, 0.9] }, "samples", "verify"],
    instructions: ["prompt"],
  },
  modelOptions: ["models"],
  async run(run, o) {
    const climb = await climbLadder(run, o);
    if ("accepted" in climb) return climb.accepted;
    return runStage({ run, name: `answer ${climb.step}`, lm: climb.last, request: finalRequest(run.request) });
  },
  async *stream(run, o) {
    const climb = await climbLadder(run, o);
    if ("accepted" in climb) {
      const text = contentText(climb.accepted.message.content);
      if (text) yield { type: "delta", index: 0, content: text };
      yield { type: "result", result: asResult(climb.accepted, climb.lm) };
      return;
    }
    const result = yield* streamStage({
      run,
      name: `answer ${climb.step}`,
      lm: climb.last,
      request: finalRequest(run.request),
    });
    yield { type: "result", result };
  },
});

/** Answers and verifies rung by rung until one is confident enough or only the top model is left. */
async function climbLadder(run: TechniqueRun, o: Options): Promise<Climb> {
  const ladder = [run.inner, ...o.models];
  const kind = parseAnswerKind(o.answer);
  const question =
    o.verify === "self" && ladder.length > 1 ? questionOf({ request: run.request, technique: "cascade" }) : "";
  for (let i = 0; i < ladder.length - 1; i++) {
    if (run.ctx.signal?.aborted) throw new AbortedError();
    const lm = ladder[i]!;
    const rung = { run, lm, step: i + 1, samples: o.samples };
    const outcome: RungOutcome =
      o.verify === "self"
        ? await selfVerified({ ...rung, question, prompt: o.prompt })
        : await agreed({ ...rung, kind, temperature: o.temperature, threshold: o.threshold, batch: o.batch });
    const decision = outcome.confidence >= o.threshold ? "accept" : "escalate";
    const record = { step: i + 1, model: lm.id, confidence: outcome.confidence, threshold: o.threshold, decision };
    run.ctx.span.event("step", { ...record, ...outcome.evidence });
    run.progress(record);
    if (decision === "accept") return { accepted: outcome.answer, lm };
  }
  if (run.ctx.signal?.aborted) throw new AbortedError();
  const last = ladder[ladder.length - 1]!;
  const record = { step: ladder.length, model: last.id, decision: "final" };
  run.ctx.span.event("step", record);
  run.progress(record);
  return { last, step: ladder.length };
}

function finalRequest(request: ChatRequest): ChatRequest {
  const { n: _n, ...rest } = request;
  return rest;
}

/** An accepted answer as a result (the technique wrapper fills in usage from the trace). */
function asResult(choice: Choice, lm: LM): ChatResult {
  return { id: "", model: lm.id, created: Math.floor(Date.now() / 1000), choices: [choice], usage: emptyUsage() };
}
