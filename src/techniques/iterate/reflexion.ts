import { z } from "zod";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult } from "../../core/types.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { runStage } from "../stage/run-stage.ts";
import { markRoundFailed, tryRound } from "../stage/try-round.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { parseVerdict } from "./parse-verdict.ts";
import { clientValue } from "../spec/option-trust.ts";

/** An evaluator's verdict on one attempt; `feedback` tells the reflection what was wrong. */
export type ReflexionVerdict = boolean | { pass: boolean; feedback?: string };
/** A function evaluator, e.g. unit tests or an exact match against a known answer. */
export type ReflexionEvaluator = (answer: string, request: ChatRequest) => ReflexionVerdict | Promise<ReflexionVerdict>;

const evaluatePrompt = `Check whether the answer below correctly and completely answers the question. Work it out yourself; do not trust the answer's own reasoning.

Question:
{question}

Answer:
{answer}

Explain briefly, then end with a final line "Verdict: PASS" if the answer is correct, or "Verdict: FAIL" if it is not.`;

const reflectPrompt = `You answered the question below, and your answer was judged wrong.

Question:
{question}

Your answer:
{answer}

Evaluation:
{feedback}

In a few sentences, diagnose what went wrong and write a concise plan for answering correctly next time. Do not answer the question itself.`;

const retryPrompt = `{question}

You have attempted this question before and failed. Reflections on your earlier attempts:
{reflections}

Use these lessons to answer the question correctly.`;

const options = z.strictObject({
  trials: clientValue(z.int().min(1).max(10).default(3).describe("Attempts at most.")),
  evaluator: clientValue(
    z
      .union([
        z.literal("self"),
        z.custom<ReflexionEvaluator>((v) => typeof v === "function", 'must be "self" or a function'),
      ])
      .default("self")
      .describe("self: the LM judges its own answer; or a function (answer, request) => boolean | {pass, feedback}."),
  ),
  memory: clientValue(
    z
      .int()
      .min(1)
      .max(10)
      .default(3)
      .describe("How many of the latest reflections the next attempt sees (the paper keeps 1-3)."),
  ),
  evaluate_prompt: clientValue(
    templateOption({ text: evaluatePrompt, placeholders: ["question", "answer"], required: ["answer"] }).describe(
      'Self evaluation; ends with "Verdict: PASS" or "Verdict: FAIL".',
    ),
  ),
  reflect_prompt: clientValue(
    templateOption({
      text: reflectPrompt,
      placeholders: ["question", "answer", "feedback"],
      required: ["answer"],
    }).describe("Asks what went wrong and what to do differently."),
  ),
  retry_prompt: clientValue(
    templateOption({
      text: retryPrompt,
      placeholders: ["question", "reflections"],
      required: ["reflections"],
    }).describe("The next attempt's prompt; {reflections} is a numbered list."),
  ),
});
type Options = z.output<typeof options>;

/**
 * Reflexion (Shinn et al. 2023, "Reflexion: Language Agents with Verbal Reinforcement Learning"):
 * attempt, evaluate, and on failure have the LM reflect on what went wrong; the latest `memory`
 * reflections go into the next attempt's prompt. Stops at the first passing attempt, else returns
 * the last one. The evaluator is the LM itself ("self", a PASS/FAIL judgement; an unreadable
 * judgement counts as a fail) or a function, e.g. tests or a comparison with a gold answer.
 */
export const reflexion = defineTechnique({
  name: "reflexion",
  family: "iterate",
  paper: "Shinn et al. 2023, Reflexion: Language Agents with Verbal Reinforcement Learning",
  description:
    "Retries a failed answer with the model's own written reflections on what went wrong, until an evaluator passes it.",
  options,
  tunables: { knobs: ["trials", "memory"], instructions: ["reflect_prompt", "retry_prompt", "evaluate_prompt"] },
  async run(run, o) {
    const question = questionOf({ request: run.request, technique: "reflexion" });
    const reflections: string[] = [];
    const base = run.ctx.sampleOffset ?? 0;
    let attempt!: ChatResult;
    for (let trial = 0; trial < o.trials; trial++) {
      const recent = reflections
        .slice(-o.memory)
        .map((r, i) => `${i + 1}. ${r}`)
        .join("\n");
      const request =
        trial === 0
          ? run.request
          : stageRequest({
              request: run.request,
              prompt: fillTemplate(o.retry_prompt, { question, reflections: recent }),
            });
      // A fresh sample per trial, so a retry never replays an earlier attempt from the cache.
      const next =
        trial === 0
          ? await runStage({ run, name: "attempt", request, sampleOffset: base })
          : await tryRound(run, "attempt", () =>
              runStage({ run, name: "attempt", request, sampleOffset: base + trial }),
            );
      // A later round that keeps failing ends the run with the last attempt, marked partial.
      if (!next) return partial(attempt);
      attempt = next;
      const answer = resultText(attempt);
      run.keep(attempt);
      run.ctx.span.event("attempt", { trial, text: answer });
      if (attempt.choices[0]?.message.tool_calls?.length) return attempt;

      const verdict = await tryRound(run, "evaluate", () => evaluate({ run, o, question, answer }));
      if (!verdict) return partial(attempt);
      run.ctx.span.event("evaluation", { trial, pass: verdict.pass, feedback: verdict.feedback });
      run.progress({ trial, pass: verdict.pass });
      if (verdict.pass || trial === o.trials - 1) break;

      const prompt = fillTemplate(o.reflect_prompt, { question, answer, feedback: verdict.feedback });
      const reflected = await tryRound(run, "reflect", () =>
        runStage({ run, name: "reflect", request: stageRequest({ request: run.request, prompt, purpose: "note" }) }),
      );
      if (!reflected) return partial(attempt);
      const reflection = resultText(reflected).trim();
      reflections.push(reflection);
      run.ctx.span.event("reflection", { trial, text: reflection });
    }
    return attempt;
  },
});

function partial(attempt: ChatResult): ChatResult {
  return { ...attempt, choices: attempt.choices.map(markRoundFailed) };
}

async function evaluate({
  run,
  o,
  question,
  answer,
}: {
  run: TechniqueRun;
  o: Options;
  question: string;
  answer: string;
}): Promise<{ pass: boolean; feedback: string }> {
  if (o.evaluator !== "self") {
    const v = await o.evaluator(answer, run.request);
    const pass = typeof v === "boolean" ? v : v.pass;
    const feedback = typeof v === "boolean" ? undefined : v.feedback;
    return { pass, feedback: feedback ?? (pass ? "The answer passed." : "The answer was judged incorrect.") };
  }
  const prompt = fillTemplate(o.evaluate_prompt, { question, answer });
  const judged = resultText(
    await runStage({ run, name: "evaluate", request: stageRequest({ request: run.request, prompt, purpose: "note" }) }),
  );
  return { pass: parseVerdict(judged) === true, feedback: judged };
}
