import { z } from "zod";
import { templateOption } from "../stage/template-option.ts";
import { answerPrompt, proposePrompt, valuePrompt } from "./thought-prompts.ts";

/** Options every thought search shares: how states are proposed, valued and turned into an answer. */
export const thoughtOptionFields = {
  breadth: z
    .int()
    .min(1)
    .max(16)
    .default(3)
    .describe("Next steps proposed per expanded state, in one request (n=breadth)."),
  value_samples: z
    .int()
    .min(1)
    .max(20)
    .default(1)
    .describe("Evaluator samples per evaluation, in one request: values are averaged, votes counted."),
  temperature: z
    .number()
    .min(0)
    .max(2)
    .optional()
    .describe(
      "Sampling temperature of the proposals (default: the request's own; at 0 the proposals repeat and merge into one).",
    ),
  answer_marker: z
    .string()
    .trim()
    .min(1)
    .default("Final answer:")
    .describe("A step with a line starting with this completes the solution."),
  propose_prompt: templateOption({
    text: proposePrompt,
    placeholders: ["question", "steps", "step", "answer_marker"],
    required: ["steps"],
  }).describe("Asks for the next step of a state; {step} is its number."),
  value_prompt: templateOption({
    text: valuePrompt,
    placeholders: ["question", "steps"],
    required: ["steps"],
  }).describe(
    'Asks for "sure", "likely" or "impossible" (20, 1, 0.001, as in the paper), or a 0-10 score, on the last line.',
  ),
  answer_prompt: templateOption({
    text: answerPrompt,
    placeholders: ["question", "steps"],
    required: ["steps"],
  }).describe("The final, streamed call that answers from the best state."),
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
