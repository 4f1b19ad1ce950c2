import { z } from "zod";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import type { ChatRequest, LM } from "../../core/types.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { finalStage } from "../stage/final-stage.ts";
import { lmOption } from "../stage/lm-option.ts";
import { templateOption } from "../stage/template-option.ts";
import { proposerLayers, withReferences } from "./mixture-of-agents-layers.ts";
import { clientModel, clientValue } from "../spec/option-trust.ts";

/** The paper's aggregate-and-synthesize prompt (Wang et al. 2024, Table 1). */
const defaultPrompt = `You have been provided with a set of responses from various models to the latest user query. Your task is to synthesize these responses into a single, high-quality response. It is crucial to critically evaluate the information provided in these responses, recognizing that some of it may be biased or incorrect. Your response should not simply replicate the given answers but should offer a refined, accurate, and comprehensive reply to the instruction. Ensure your response is well-structured, coherent, and adheres to the highest standards of accuracy and reliability.

Responses from models:
{responses}`;

const options = z.strictObject({
  /** Proposer LMs; empty means the inner LM sampled `proposers` times. */
  models: clientModel(z.array(lmOption()).default([])),
  /** Layers including the aggregator's: 2 = one proposer layer, then the aggregator (MoA-Lite). */
  layers: clientValue(z.number().int().min(2).max(8).default(2)),
  /** The LM that writes the final answer (default: the inner LM). */
  aggregator: clientModel(lmOption().optional()),
  /** Samples of the inner LM per layer when no `models` are given. */
  proposers: clientValue(z.number().int().min(1).max(16).default(3)),
  /** Aggregate-and-synthesize prompt; {responses} is the numbered previous-layer responses. */
  prompt: clientValue(templateOption({ text: defaultPrompt, placeholders: ["responses"], required: ["responses"] })),
});

type Options = z.output<typeof options>;

/**
 * Mixture-of-Agents (Wang et al. 2024, "Mixture-of-Agents Enhances Large Language Model
 * Capabilities"): proposer models answer concurrently; each further layer answers again with the
 * previous layer's responses as references (aggregate-and-synthesize prompt in the system message);
 * the aggregator, in the last layer, synthesises the final answer, which is streamed. `layers` counts
 * the aggregator's layer as the paper does, so layers=2 is its MoA-Lite shape.
 */
export const mixtureOfAgents = defineTechnique({
  name: "mixture-of-agents",
  family: "sample-many",
  paper: "Wang et al. 2024, Mixture-of-Agents Enhances Large Language Model Capabilities",
  description:
    "Several proposer models answer (over one or more layers that see the previous layer's answers); an aggregator synthesises the final answer.",
  options,
  tunables: { knobs: ["layers", "proposers"], instructions: ["prompt"] },
  modelOptions: ["models", "aggregator"],
  ...finalStage({ name: "aggregate", prepare }),
});

/** Runs the proposer layers and builds the aggregator's request (`lm` is the aggregator). */
async function prepare(run: TechniqueRun, o: Options): Promise<{ lm: LM; request: ChatRequest }> {
  const responses = await proposerLayers({
    run,
    models: o.models,
    samples: o.proposers,
    layers: o.layers - 1,
    prompt: o.prompt,
  });
  if (run.ctx.signal?.aborted) throw new AbortedError();
  const request = responses.length
    ? withReferences({ request: run.request, prompt: o.prompt, responses })
    : { ...run.request };
  delete request.n;
  return { lm: o.aggregator ?? run.inner, request };
}
