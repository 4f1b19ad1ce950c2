import { createHash } from "node:crypto";
import { z } from "zod";
import type { BudgetLimits } from "../../budget/budget.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { ChatRequest } from "../../core/types.ts";
import type { AnswerKind } from "../../techniques/answers/index.ts";
import type { EvalRecord } from "../eval-record.ts";
import type { RunKey } from "../eval-store.ts";
import type { EvalRunPlan } from "../plan-eval-runs.ts";
import type { RunSettings } from "../run-settings.ts";

/**
 * One question of one run, as a queue job: what a worker needs to rebuild the plan with its own
 * configuration and evaluate the question (evaluateAndSave). No host paths or commands: the
 * technique spec and model are built by the worker under its own policy.
 */
export interface EvalJob {
  v: 1;
  dataset: string;
  /** The technique spec as written (no `@model`), or "none". */
  technique: string;
  /** The base model's id, which the worker resolves itself. */
  model: string;
  /** The canonical spec the submitter stores results under; the worker's build must match it. */
  canonical: string;
  /** The evaluation's answer kind as written (`number`, `regex:...`); unset: the plan's own. */
  answer?: string;
  seed?: number;
  request?: Partial<ChatRequest>;
  budget?: BudgetLimits;
  /**
   * The results store the submitter follows: a worker saving to another refuses the job. Unset in
   * jobs queued by an lmx from before the check, which workers evaluate unchecked, as before.
   */
  store?: EvalJobStore;
  record: EvalRecord;
}

/** A results store as a job names it: its identity, and where it is for messages (no password). */
export interface EvalJobStore {
  /** EvalStore.identity(). */
  id: string;
  /** EvalStore.path: a file, or a database URL with its password hidden. */
  where: string;
}

/** A job's JSON stays under this (a question with a huge conversation is refused at submission). */
export const MAX_JOB_BYTES = 256 * 1024;

/** Request fields a job may carry (sampling settings, never messages, tools or model). */
const REQUEST_FIELDS = [
  "temperature",
  "top_p",
  "max_tokens",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "reasoning_effort",
] as const;

const scalar = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
const requestSchema = z
  .object(Object.fromEntries(REQUEST_FIELDS.map((f) => [f, z.union([scalar, z.array(z.string().max(1000)).max(16)])])))
  .partial()
  .strict();

const jobSchema = z
  .object({
    v: z.literal(1),
    dataset: z.string().min(1).max(200),
    technique: z.string().min(1).max(20_000),
    model: z.string().min(1).max(2_000),
    canonical: z.string().min(1).max(20_000),
    answer: z.string().max(2_000).optional(),
    seed: z.number().int().optional(),
    request: requestSchema.optional(),
    budget: z
      .object({
        tokens: z.number().positive().optional(),
        calls: z.number().positive().optional(),
        cost_usd: z.number().positive().optional(),
        time_ms: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    store: z
      .object({ id: z.string().min(1).max(200), where: z.string().min(1).max(2_000) })
      .strict()
      .optional(),
    record: z.object({
      id: z.string().min(1).max(2_000),
      question: z.string(),
      answer: z.string(),
      choices: z.array(z.string()).optional(),
      messages: z.array(z.object({ role: z.string() }).passthrough()).optional(),
      line: z.number().int(),
    }),
  })
  .strict();

/**
 * The job of one question of a plan under these settings, for workers saving to `store` (the
 * submitter's); too big a job is an InvalidRequestError.
 */
export function evalJob(settings: RunSettings, plan: EvalRunPlan, record: EvalRecord, store: EvalJobStore): EvalJob {
  const request = settings.request && pick(settings.request);
  const job: EvalJob = {
    v: 1,
    dataset: settings.dataset.hash,
    technique: plan.technique,
    model: plan.model,
    canonical: plan.canonical,
    ...(settings.answer === undefined ? {} : { answer: formatAnswerKind(settings.answer) }),
    ...(settings.seed === undefined ? {} : { seed: settings.seed }),
    ...(request && Object.keys(request).length ? { request } : {}),
    ...(settings.budget ? { budget: settings.budget } : {}),
    store,
    record,
  };
  const bytes = Buffer.byteLength(JSON.stringify(job));
  if (bytes > MAX_JOB_BYTES)
    throw new InvalidRequestError(
      `question ${record.id} (line ${record.line}) is too large for the queue (${bytes} bytes as a job; at most ${MAX_JOB_BYTES})`,
      { param: "data" },
    );
  return job;
}

/** A job's data as read back from the queue: checked, since anyone who can write to Redis can add jobs. */
export function parseEvalJob(data: unknown): EvalJob {
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success)
    throw new InvalidRequestError(`malformed eval job: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_JOB_BYTES) throw new InvalidRequestError("eval job too large");
  return parsed.data as EvalJob;
}

/**
 * The job id of a question of a run: derived from the result key, so submitting the same question
 * twice (a rerun, a second submitter) adds it once.
 */
export function evalJobId(key: RunKey, questionId: string): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([key.dataset, key.model, key.technique, questionId]))
    .digest("hex");
  return `q-${hash.slice(0, 40)}`;
}

/** AnswerKind → the text parseAnswerKind reads back. */
export function formatAnswerKind(kind: AnswerKind): string {
  return typeof kind === "string" ? kind : `regex:${kind.regex.source}`;
}

function pick(request: Partial<ChatRequest>): Partial<ChatRequest> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) {
    if (value === undefined) continue;
    if (!(REQUEST_FIELDS as readonly string[]).includes(field))
      throw new InvalidRequestError(`request field ${field} cannot be sent through the queue`, { param: field });
    out[field] = value;
  }
  return out as Partial<ChatRequest>;
}
