import { z } from "zod";
import { templateOption } from "../stage/template-option.ts";

/**
 * Default prompts of the thought searches (tree-of-thoughts, mcts), adapted from the "propose",
 * "value" and "vote" prompts of Yao et al. 2023 to any question. {steps} is the state as numbered
 * steps, or "(none yet)" at the root.
 */
export const proposePrompt = `Solve the problem below one step at a time.

Problem:
{question}

Steps so far:
{steps}

Write step {step} only: one short, concrete reasoning step that follows from the steps so far and moves the solution forward. Do not repeat earlier steps and do not write later ones. If this step completes the solution, end it with a line "{answer_marker} <the answer>".`;

export const valuePrompt = `Judge a partial solution to the problem below.

Problem:
{question}

Steps so far:
{steps}

Check each step for errors of fact, logic or calculation, then judge whether continuing from these steps can reach a correct answer. Explain briefly, then end with a last line holding one word:
sure - the steps are correct and lead to (or already reach) the correct answer
likely - the steps are correct so far, but it is not yet clear that they reach the answer
impossible - a step is wrong, or the steps cannot lead to a correct answer`;

export const votePrompt = `Several partial solutions to the problem below are listed. Decide which one is the most promising to continue towards a correct answer.

Problem:
{question}

{choices}

Analyse each choice briefly, then conclude with a last line of the form "The best choice is N", where N is the number of the choice.`;

export const answerPrompt = `{question}

A line of reasoning for this question:
{steps}

Using this reasoning, and correcting it where it is wrong, answer the question.`;

/** Options every thought search shares: how states are proposed, valued and turned into an answer. */
export const thoughtOptionFields = {
  breadth: z.int().min(1).max(16).default(3).describe("Next steps proposed per expanded state, in one request (n=breadth)."),
  value_samples: z.int().min(1).max(20).default(1).describe("Evaluator samples per evaluation, in one request: values are averaged, votes counted."),
  temperature: z.number().min(0).max(2).optional().describe("Sampling temperature of the proposals (default: the request's own; at 0 the proposals repeat and merge into one)."),
  answer_marker: z.string().trim().min(1).default("Final answer:").describe("A step with a line starting with this completes the solution."),
  propose_prompt: templateOption({ text: proposePrompt, placeholders: ["question", "steps", "step", "answer_marker"], required: ["steps"] }).describe(
    "Asks for the next step of a state; {step} is its number.",
  ),
  value_prompt: templateOption({ text: valuePrompt, placeholders: ["question", "steps"], required: ["steps"] }).describe(
    'Asks for "sure", "likely" or "impossible" (20, 1, 0.001, as in the paper), or a 0-10 score, on the last line.',
  ),
  answer_prompt: templateOption({ text: answerPrompt, placeholders: ["question", "steps"], required: ["steps"] }).describe(
    "The final, streamed call that answers from the best state.",
  ),
};

/** The option values a thought search reads. */
export interface ThoughtOptions {
  breadth: number;
  value_samples: number;
  temperature?: number;
  answer_marker: string;
  propose_prompt: string;
  value_prompt: string;
  answer_prompt: string;
  vote_prompt?: string;
}
