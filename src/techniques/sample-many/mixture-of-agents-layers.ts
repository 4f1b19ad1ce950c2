import { AbortedError } from "../../core/errors/aborted-error.ts";
import { contentText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult, LM, Message } from "../../core/types.ts";
import type { TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { runStage } from "../stage/run-stage.ts";
import { degrades, sampleStage } from "../stage/sample-stage.ts";

export interface ProposerLayersOptions {
  run: TechniqueRun;
  /** Proposer models; empty means the inner LM, sampled `samples` times per layer. */
  models: LM[];
  samples: number;
  /** How many proposer layers (the aggregator's layer is not counted here). */
  layers: number;
  /** Aggregate-and-synthesize prompt with a {responses} placeholder. */
  prompt: string;
}

/**
 * Runs the proposer layers of a mixture of agents and returns the last layer's responses. Layer 1
 * answers the request; every later layer answers it again with the previous layer's responses as
 * references. All proposers of a layer run at once; each call gets its own sample indices so that no
 * two proposers collapse into one cached sample.
 */
export async function proposerLayers({
  run,
  models,
  samples,
  layers,
  prompt,
}: ProposerLayersOptions): Promise<string[]> {
  const { request, ctx } = run;
  const count = models.length || samples;
  const base = ctx.sampleOffset ?? 0;
  let previous: string[] = [];
  for (let layer = 0; layer < layers; layer++) {
    if (ctx.signal?.aborted) throw new AbortedError();
    const layerRequest = layer === 0 ? { ...request } : withReferences({ request, prompt, responses: previous });
    delete layerRequest.n;
    const offset = base + layer * count;
    const name = `propose ${layer + 1}`;
    const calls: Promise<ChatResult>[] = models.length
      ? models.map((lm, j) =>
          runStage({ run, name: `${name}.${j + 1}`, lm, request: layerRequest, sampleOffset: offset + j }),
        )
      : [sampleStage({ run, name, request: layerRequest, n: samples, sampleOffset: offset }).then((s) => s.result)];
    const settled = await Promise.allSettled(calls);
    const results = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const first = results[0]?.choices[0];
    if (first) run.keep(first);
    // A proposer that kept failing is left out of the layer; only a layer with no response fails.
    const failed = settled.find(
      (s): s is PromiseRejectedResult => s.status === "rejected" && (!degrades(s.reason) || results.length === 0),
    );
    if (failed) throw failed.reason;
    const lost = settled.length - results.length;
    if (lost > 0)
      ctx.span.event("partial", { reason: "proposers failed", layer: layer + 1, failed: lost, of: settled.length });
    previous = results.flatMap((r) => r.choices.map((c) => contentText(c.message.content))).filter((t) => t.trim());
    ctx.span.event("layer", { layer: layer + 1, responses: previous.length });
    run.progress({ stage: "proposers", layer: layer + 1, of: layers, responses: previous.length });
  }
  return previous;
}

/**
 * The request with reference responses in its system message, as the paper does: the conversation
 * and the user's last message stay untouched, an existing system prompt is kept and extended.
 */
export function withReferences(args: { request: ChatRequest; prompt: string; responses: string[] }): ChatRequest {
  const numbered = args.responses.map((r, i) => `${i + 1}. ${r}`).join("\n\n");
  const text = fillTemplate(args.prompt, { responses: numbered });
  const [first, ...rest] = args.request.messages;
  const messages: Message[] =
    first && (first.role === "system" || first.role === "developer")
      ? [{ ...first, content: `${contentText(first.content)}\n\n${text}` }, ...rest]
      : [{ role: "system", content: text }, ...args.request.messages];
  return { ...args.request, messages };
}
