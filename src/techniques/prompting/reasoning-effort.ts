import { z } from "zod";
import type { ReasoningEffort } from "../../core/types.ts";
import { defineTechnique } from "../define-technique.ts";
import { clientValue } from "../spec/option-trust.ts";
import { finalStage } from "../stage/final-stage.ts";

/** The levels `lmx tune --reasoning-effort` may search (xhigh is settable, not searched by default). */
export const REASONING_EFFORTS: readonly ReasoningEffort[] = ["none", "minimal", "low", "medium", "high"];

const options = z.strictObject({
  effort: clientValue(
    z
      .enum(["none", "minimal", "low", "medium", "high", "xhigh"])
      .optional()
      .describe("The reasoning_effort every request below this layer carries (unset: the request's own)."),
  ),
});

/**
 * Sets `reasoning_effort` on every request to the LM below it (OpenAI 2024, "Learning to Reason
 * with LLMs": more reasoning tokens, better answers on hard tasks, at a price). As a layer of the
 * spec it is part of a configuration's name, so `lmx tune` can search it like any knob, results of
 * different efforts are stored apart, and a saved alias keeps it. Put innermost, it reaches every
 * call a technique makes. One call; streams.
 */
export const reasoningEffort = defineTechnique({
  name: "reasoning-effort",
  family: "prompting",
  paper: "OpenAI 2024, Learning to Reason with LLMs",
  description: "Sends the given reasoning_effort with every request to the LM below it.",
  options,
  tunables: { knobs: [{ option: "effort", values: REASONING_EFFORTS }] },
  handlesN: true,
  ...finalStage<z.output<typeof options>>({
    name: "answer",
    prepare: (run, o) => ({
      request: o.effort === undefined ? run.request : { ...run.request, reasoning_effort: o.effort },
    }),
  }),
});
