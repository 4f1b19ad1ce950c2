import type { Context } from "hono";
import { z } from "zod";
import { budgetSchema } from "../chat-body-schema.ts";
import { accountingHeaders } from "../openai-shapes.ts";
import { clientSignal } from "../node-request.ts";
import type { KeyAllowance } from "../key-budget.ts";
import {
  parseJson,
  readJsonText,
  recordTrace,
  requestContext,
  requestLimits,
  settleSpend,
  type RunDeps,
} from "../request-run.ts";
import { zodIssueError } from "../zod-issue-error.ts";
import type { EmbeddingModels } from "./embedding-models.ts";

export interface EmbeddingsDeps extends Omit<RunDeps, "resolveLM"> {
  embedders: EmbeddingModels;
}

const NAME = "POST /v1/embeddings";

/**
 * `POST /v1/embeddings`: texts passed through to the OpenAI-compatible endpoint behind the model, in
 * OpenAI's shape (`float` or `base64` vectors), with the same accounting as every call (tokens, calls,
 * cost in the trace), the request's budget, the concurrency gate and limits on how many texts and how
 * long each may be.
 */
export function embeddingsHandler(deps: EmbeddingsDeps) {
  const { limits } = deps.settings;
  const text = z
    .string()
    .max(limits.embeddingInputChars, `a text may have at most ${limits.embeddingInputChars} characters`);
  const schema = z.strictObject({
    model: z.string().min(1),
    input: z.union([text, z.array(text).min(1).max(limits.embeddingInputs, `at most ${limits.embeddingInputs} texts`)]),
    encoding_format: z.enum(["float", "base64"]).optional(),
    dimensions: z.number().int().min(1).max(65_536).optional(),
    user: z.string().max(256).optional(),
    lmx: z.strictObject({ budget: budgetSchema.optional() }).optional(),
  });
  return async (c: Context): Promise<Response> => {
    const signal = clientSignal(c);
    const raw = await readJsonText(c, deps.settings);
    const release = deps.gate.enter();
    let allowance: KeyAllowance | undefined;
    try {
      const parsed = schema.safeParse(parseJson(raw));
      if (!parsed.success) throw zodIssueError(parsed.error.issues[0]!);
      const body = parsed.data;
      const embedder = deps.embedders(body.model, body.dimensions);
      const run = { name: NAME, model: body.model, lm: embedder.id, stream: false, signal };
      const limits = requestLimits(deps.settings, body.lmx);
      allowance = await deps.allowance?.(deps.callerOf?.(c) ?? { operator: false }, limits);
      const ctx = requestContext(deps, c, { ...run, budget: allowance?.limits ?? limits });
      const record = (error?: unknown) => {
        recordTrace(deps, { ...run, ctx }, error);
        settleSpend(deps, allowance, ctx);
      };
      const texts = typeof body.input === "string" ? [body.input] : body.input;
      let vectors: number[][];
      try {
        vectors = await embedder.embed(texts, ctx);
      } catch (error) {
        record(error);
        c.header("x-lmx-trace-id", ctx.span.traceId);
        throw error;
      }
      const usage = { ...ctx.span.total };
      record();
      const base64 = body.encoding_format === "base64";
      return c.json(
        {
          object: "list",
          data: vectors.map((v, index) => ({ object: "embedding", index, embedding: base64 ? toBase64(v) : v })),
          model: body.model,
          usage: { prompt_tokens: usage.prompt_tokens, total_tokens: usage.prompt_tokens },
        },
        200,
        accountingHeaders(usage, ctx.span.traceId),
      );
    } catch (error) {
      throw allowance ? allowance.explain(error) : error;
    } finally {
      release();
    }
  };
}

/** OpenAI's base64 encoding: the little-endian float32 bytes. */
function toBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}
