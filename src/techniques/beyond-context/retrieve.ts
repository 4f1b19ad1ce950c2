import { z } from "zod";
import { childContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult } from "../../core/types.ts";
import type { DocumentStore } from "../../store/document-index/document-store.ts";
import type { SearchHit } from "../../store/document-index/index-search.ts";
import { hostOf } from "../../runtime/host-of.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { finalStage } from "../stage/final-stage.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { embedderOption, resolveEmbedder } from "./embedder-option.ts";
import { citedNumbers, formatPassages, sourceOf } from "./format-passages.ts";
import { clientValue, hostResource } from "../spec/option-trust.ts";

const answerPrompt = `Answer the question using the numbered passages below. Cite the passages you rely on by their numbers in square brackets, like [1] or [2][3], right after the statements they support. If the passages do not contain the answer, say so, and answer from your own knowledge only where you are sure, without citations.

Passages:
{passages}

Question: {question}`;

const options = z.strictObject({
  index: hostResource(
    z
      .string()
      .min(1)
      .optional()
      .describe(
        "Index file, or a name for <state>/<name>.sqlite (default: LMX_INDEX, config index.path, <state>/index.sqlite).",
      ),
    { grant: "indexes", unsetIsHost: true },
  ),
  k: clientValue(z.int().min(1).max(50).default(4).describe("Passages added to the prompt.")),
  embedder: hostResource(
    embedderOption().describe('"auto" (the index\'s own), "none" (BM25 only) or an embedder spec.'),
    { clientMay: (v) => v === "auto" || v === "none" },
  ),
  prompt: clientValue(
    templateOption({
      text: answerPrompt,
      placeholders: ["passages", "question"],
      required: ["passages", "question"],
    }).describe("The answer prompt; {passages} are the numbered passages, {question} the last user message."),
  ),
});
type Options = z.output<typeof options>;

/**
 * Retrieval-augmented generation (Lewis et al. 2020, "Retrieval-Augmented Generation for
 * Knowledge-Intensive NLP Tasks"): the question (the last user message) is searched in a document
 * index built with `lmx index add` (BM25, or hybrid with vectors), and the top `k` passages, numbered
 * with their source file and lines, are put in the prompt with a request to cite them as [n]. The
 * hits and the citations are recorded in the trace; the answer streams. A named index that does
 * not exist is a ConfigurationError; with no index named and none at the default place, the question
 * is answered as asked (a span event says so), so a stack with `retrieve` works before indexing.
 */
export const retrieve = defineTechnique({
  name: "retrieve",
  family: "beyond-context",
  paper: "Lewis et al. 2020, Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks",
  description:
    "Searches your indexed documents for the question and answers from the top passages, citing them as [n].",
  options,
  tunables: { knobs: ["k"], instructions: ["prompt"] },
  ...finalStage({
    name: "answer",
    prepare: augment,
    finish(result, { hits }, run) {
      recordCitations(run, result, hits);
      return result;
    },
  }),
});

/** The request with the passages found for its question, or as it is when nothing was found. */
async function augment(run: TechniqueRun, o: Options): Promise<{ request: ChatRequest; hits: SearchHit[] }> {
  if (run.ctx.signal?.aborted) throw new AbortedError();
  const question = questionOf({ request: run.request, technique: "retrieve" });
  const host = hostOf(run.ctx);
  const location = host.storeLocation("index", o.index);
  const probe = host.documentIndex(o.index, { existing: true });
  const built = probe && (await statsOf(probe));
  const where = built?.path ?? location.path;
  const ctx = childContext(run.ctx, "search", "tool", { index: where, query: question, k: o.k });
  if (!built) {
    if (location.explicit)
      throw new ConfigurationError(
        `retrieve: no document index at ${location.path}. Build it with \`lmx index add <path...>\`${o.index ? ` --index ${o.index}` : ""}.`,
      );
    ctx.span.set({ hits: [], skipped: "no index yet: build one with `lmx index add <path...>`" }).finish();
    return { request: run.request, hits: [] };
  }
  let hits: SearchHit[];
  try {
    hits = await search({ builtWith: built.embedder, question, o, ctx });
  } catch (error) {
    ctx.span.fail(error);
    throw error;
  }
  const summary = hits.map((h, i) => ({
    n: i + 1,
    source: sourceOf(h),
    context: h.context,
    score: h.score,
    ranker: h.ranker,
    ranks: h.ranks,
  }));
  ctx.span.set({ hits: summary }).finish();
  run.ctx.span.event("retrieval", { index: where, hits: summary });
  run.progress({ stage: "retrieved", hits: hits.length });
  if (hits.length === 0) return { request: run.request, hits };
  const prompt = fillTemplate(o.prompt, { passages: formatPassages(hits), question });
  return { request: stageRequest({ request: run.request, prompt }), hits };
}

/** Where the index is and the embedder it was built with; closes `probe`. */
async function statsOf(probe: DocumentStore): Promise<{ path: string; embedder?: string }> {
  try {
    return await probe.stats();
  } finally {
    await probe.close();
  }
}

/** Searches with the embedder the option asks for ("auto": `builtWith`, the index's own). */
async function search(options: {
  builtWith: string | undefined;
  question: string;
  o: Options;
  ctx: TechniqueRun["ctx"];
}): Promise<SearchHit[]> {
  const { builtWith, question, o, ctx } = options;
  const host = hostOf(ctx);
  const embedder = await resolveEmbedder({ value: o.embedder, builtWith, owner: o, host });
  const index = host.documentIndex(o.index, { embedder, existing: true })!;
  try {
    return await index.search(question, { k: o.k, ctx });
  } finally {
    await index.close();
  }
}

/** Which passages the answer cites (and numbers it cites that were never given). */
function recordCitations(run: TechniqueRun, result: ChatResult, hits: readonly SearchHit[]): void {
  if (hits.length === 0) return;
  const cited = citedNumbers(resultText(result));
  run.ctx.span.event("citations", {
    cited: cited.filter((n) => n >= 1 && n <= hits.length).map((n) => ({ n, source: sourceOf(hits[n - 1]!) })),
    unknown: cited.filter((n) => n < 1 || n > hits.length),
  });
}
