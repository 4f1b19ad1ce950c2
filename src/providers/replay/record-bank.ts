import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { dirname } from "node:path";
import { childContext, createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText } from "../../core/messages.ts";
import type { ChatRequest, LM, RunContext } from "../../core/types.ts";
import { loadSampleBank, type BankRecord } from "./sample-bank.ts";

export interface RecordQuestion {
  /** Stable id (default: a hash of the question, so reruns resume). */
  id?: string;
  question: string;
  answer: string;
}

export interface RecordProgress {
  id: string;
  /** Questions finished in this run (written or incomplete), out of `total` still to record. */
  done: number;
  total: number;
  written: number;
  skipped: number;
}

export interface RecordBankOptions {
  lm: LM;
  questions: RecordQuestion[];
  /** Completions per question, asked as one request with `n = samples`. */
  samples: number;
  /** The `*.bank.jsonl` file to append to; ids already in it are skipped. */
  out: string;
  /** Questions in flight at once (default 4). */
  concurrency?: number;
  /** Extra request fields (temperature, max_tokens, a system message...); the question is appended as the last user message. */
  request?: Partial<ChatRequest>;
  /** Shared run context (budget, trace); by default each question gets a fresh one. */
  ctx?: RunContext;
  onProgress?: (progress: RecordProgress) => void;
}

/**
 * Samples `lm` once per question and appends sample-bank lines to `out`, so techniques can then be
 * studied for free with replayLM. Resumable: ids already in `out` are skipped, and each line is
 * written whole as soon as its question is done. A question that came back with fewer samples than
 * asked (a budget ran out) is not written and is listed in `incomplete`; any other error stops the
 * recording after the questions in flight finish, keeping every line already written.
 */
export async function recordBank(
  options: RecordBankOptions,
): Promise<{ written: number; skipped: number; incomplete: string[] }> {
  const { lm, samples, out, concurrency = 4, request = {}, ctx, onProgress } = options;
  if (!Number.isInteger(samples) || samples < 1)
    throw new InvalidRequestError(`samples must be an integer >= 1, got ${samples}`, { param: "samples" });
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvalidRequestError(`concurrency must be an integer >= 1, got ${concurrency}`, { param: "concurrency" });

  const existing = readExisting(out);
  const questions = withIds(options.questions);
  const pending = questions.filter((q) => {
    const recorded = existing.byQuestion.get(q.question.trim());
    if (recorded && recorded.id !== q.id)
      throw new InvalidRequestError(`question "${q.id}" is already in ${out} as "${recorded.id}"`, {
        param: "questions",
      });
    return !existing.ids.has(q.id);
  });
  const skipped = questions.length - pending.length;
  mkdirSync(dirname(out), { recursive: true });

  let written = 0;
  let done = 0;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const incomplete: string[] = [];
  // One write at a time, each a whole line, so concurrent questions never interleave.
  let writes = Promise.resolve();
  let separator = existing.endsWithNewline ? "" : "\n";
  const append = (record: BankRecord) => {
    const line = `${separator}${JSON.stringify(record)}\n`;
    separator = "";
    writes = writes.then(() => appendFile(out, line, "utf8"));
    return writes;
  };

  async function recordOne(q: Required<RecordQuestion>): Promise<void> {
    const messages = [...(request.messages ?? []), { role: "user" as const, content: q.question }];
    const runCtx = ctx
      ? { ...childContext(ctx, `record ${q.id}`, "step"), sampleOffset: 0 }
      : createRunContext({ name: `record ${q.id}` });
    const result = await lm.complete({ ...request, messages, n: samples }, runCtx);
    if (result.choices.length < samples) incomplete.push(q.id);
    else {
      await append({
        id: q.id,
        question: q.question,
        answer: q.answer,
        samples: result.choices.map((c) => contentText(c.message.content)),
      });
      written++;
    }
    done++;
    onProgress?.({ id: q.id, done, total: pending.length, written, skipped });
  }

  async function worker(): Promise<void> {
    while (!failure && next < pending.length) {
      const q = pending[next++]!;
      try {
        await recordOne(q);
      } catch (error) {
        failure ??= { error };
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
  await writes;
  if (failure) throw failure.error;
  return { written, skipped, incomplete };
}

function readExisting(out: string): {
  ids: Set<string>;
  byQuestion: Map<string, BankRecord>;
  endsWithNewline: boolean;
} {
  const text = existsSync(out) ? readFileSync(out, "utf8") : "";
  if (!text.trim()) return { ids: new Set(), byQuestion: new Map(), endsWithNewline: true };
  const bank = loadSampleBank(out);
  return { ids: new Set(bank.byId.keys()), byQuestion: bank.byQuestion, endsWithNewline: text.endsWith("\n") };
}

function withIds(questions: RecordQuestion[]): Required<RecordQuestion>[] {
  const ids = new Set<string>();
  const texts = new Set<string>();
  return questions.map((q, i) => {
    if (typeof q.question !== "string" || !q.question.trim())
      throw new InvalidRequestError(`question ${i} has no text`, { param: "questions" });
    const id = q.id ?? `q-${createHash("sha256").update(q.question.trim()).digest("hex").slice(0, 16)}`;
    if (ids.has(id)) throw new InvalidRequestError(`question id "${id}" appears twice`, { param: "questions" });
    if (texts.has(q.question.trim()))
      throw new InvalidRequestError(`question "${id}" repeats an earlier question`, { param: "questions" });
    ids.add(id);
    texts.add(q.question.trim());
    return { id, question: q.question, answer: q.answer ?? "" };
  });
}
