import { z } from "zod";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest, Choice } from "../../core/types.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";

/**
 * Three small, complete techniques of the three usual shapes (one batched call; a sequence of
 * stages streaming the last; concurrent calls then a combining call). The conformance suite checks
 * itself against them, and runs them when no built-in technique is registered yet.
 */

function lastUserIndex(request: ChatRequest): number {
  for (let i = request.messages.length - 1; i >= 0; i--) if (request.messages[i]!.role === "user") return i;
  return -1;
}

/** The request with its last user message replaced, so the system prompt and history stay. */
function withQuestion(request: ChatRequest, text: string): ChatRequest {
  const last = lastUserIndex(request);
  const messages = request.messages.slice();
  messages[last < 0 ? messages.length : last] = { role: "user", content: text };
  return { ...request, messages };
}

function questionOf(run: TechniqueRun): string {
  return contentText(run.request.messages[lastUserIndex(run.request)]?.content ?? null);
}

/** Majority over the last lines of n samples drawn in one call. */
export const fixtureVote = defineTechnique({
  name: "fixture-vote",
  family: "sample-many",
  paper: "Wang et al. 2022, Self-Consistency Improves Chain of Thought Reasoning in Language Models",
  description: "Samples n answers at once and returns one with the most common last line.",
  options: z.strictObject({ n: z.int().min(1).max(32).default(4) }),
  async run(run, o) {
    const result = await run.inner.complete({ ...run.request, n: o.n }, run.ctx);
    const lastLine = (c: Choice) => contentText(c.message.content).trim().split("\n").at(-1) ?? "";
    const counts = new Map<string, number>();
    for (const c of result.choices) counts.set(lastLine(c), (counts.get(lastLine(c)) ?? 0) + 1);
    const winner = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    run.ctx.span.event("vote", { counts: Object.fromEntries(counts) });
    const chosen = result.choices.find((c) => lastLine(c) === winner)!;
    // Fewer samples than asked means a budget cut the batch short: a vote over less, so say so.
    return result.choices.length < o.n ? { ...chosen, finish_reason: "budget" } : chosen;
  },
});

/** Draft, critique, rewrite; the rewrite is streamed. */
export const fixtureRefine = defineTechnique({
  name: "fixture-refine",
  family: "iterate",
  paper: "Madaan et al. 2023, Self-Refine: Iterative Refinement with Self-Feedback",
  description: "Drafts, critiques the draft, and rewrites it once.",
  options: z.strictObject({ critique: z.string().default("Critique this answer to {question}:\n{answer}") }),
  run: async (run, o) => {
    let last;
    for await (const event of refineStages(run, o.critique, false)) if (event.type === "result") last = event.result;
    return last!;
  },
  stream: (run, o) => refineStages(run, o.critique, true),
});

async function* refineStages(run: TechniqueRun, critique: string, streaming: boolean) {
  const question = questionOf(run);
  const draft = await run.inner.complete(run.request, run.ctx);
  run.keep(draft);
  if (run.ctx.signal?.aborted) throw new AbortedError();
  const prompt = critique.replace("{question}", question).replace("{answer}", resultText(draft));
  const feedback = await run.inner.complete(withQuestion(run.request, prompt), { ...run.ctx, sampleOffset: 1 });
  run.ctx.span.event("critique", { text: resultText(feedback) });
  const rewrite = withQuestion(
    run.request,
    `${question}\n\nDraft:\n${resultText(draft)}\n\nFeedback:\n${resultText(feedback)}\n\nRewrite the draft.`,
  );
  if (streaming) yield* run.inner.stream(rewrite, { ...run.ctx, sampleOffset: 2 });
  else yield { type: "result" as const, result: await run.inner.complete(rewrite, { ...run.ctx, sampleOffset: 2 }) };
}

/** Three perspectives asked concurrently, then one call combining them. */
export const fixtureFanOut = defineTechnique({
  name: "fixture-fan-out",
  family: "sample-many",
  paper: "Wang et al. 2024, Mixture-of-Agents Enhances Large Language Model Capabilities",
  description: "Asks three perspectives at once and combines them.",
  options: z.strictObject({
    perspectives: z.array(z.string()).min(1).default(["a teacher", "an engineer", "a sceptic"]),
  }),
  async run(run, o) {
    const question = questionOf(run);
    const views = await Promise.all(
      o.perspectives.map((who, i) =>
        run.inner.complete(withQuestion(run.request, `As ${who}: ${question}`), { ...run.ctx, sampleOffset: i }),
      ),
    );
    run.keep(views[0]!);
    const combined = views.map((v, i) => `(${i + 1}) ${resultText(v)}`).join("\n\n");
    return run.inner.complete(withQuestion(run.request, `${question}\n\nCombine these answers:\n${combined}`), run.ctx);
  },
});

export const fixtureTechniques = [fixtureVote, fixtureRefine, fixtureFanOut];
