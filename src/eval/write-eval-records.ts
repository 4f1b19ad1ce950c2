import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { EvalRecord } from "./eval-record.ts";
import type { EvalStore } from "./eval-store.ts";
import type { EvalRunPlan } from "./plan-eval-runs.ts";
import { runKey } from "./run-eval.ts";

/** One line of `lmx eval --records FILE`: a question graded under one technique. */
export interface EvalRecordLine {
  id: string;
  technique: string;
  model: string;
  /** Canonical extracted answer; null when none was found. */
  answer: string | null;
  gold: string;
  /** The full final response. */
  text: string;
  correct: boolean;
  samples: number;
  calls: number;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  cost_usd: number;
  latency_ms: number;
  /** Open it with `lmx trace ID --results <results file>`. */
  trace_id: string | null;
  finish_reason?: string;
  error?: string;
}

/**
 * Writes one JSON line per question and run, runs in plan order and questions in dataset order,
 * from every stored result of the dataset's questions (earlier invocations included). Lines are
 * written as they are read, so memory stays at one run's results. Returns the file's path.
 */
export async function writeEvalRecords(options: {
  path: string;
  dataset: { hash: string; records: readonly EvalRecord[] };
  plans: readonly EvalRunPlan[];
  store: EvalStore;
}): Promise<string> {
  const path = resolve(options.path);
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "w");
  try {
    for (const plan of options.plans) {
      const results = new Map(
        (await options.store.results(runKey(options.dataset.hash, plan))).map((r) => [r.question_id, r]),
      );
      for (const record of options.dataset.records) {
        const r = results.get(record.id);
        if (!r) continue;
        const line: EvalRecordLine = {
          id: r.question_id,
          technique: plan.technique,
          model: plan.model,
          answer: r.answer ?? null,
          gold: r.gold,
          text: r.text,
          correct: r.correct,
          samples: r.samples,
          calls: r.calls,
          usage: {
            prompt_tokens: r.prompt_tokens,
            completion_tokens: r.completion_tokens,
            total_tokens: r.prompt_tokens + r.completion_tokens,
          },
          cost_usd: r.cost_usd,
          latency_ms: r.latency_ms,
          trace_id: r.trace_id ?? null,
          ...(r.finish_reason === undefined ? {} : { finish_reason: r.finish_reason }),
          ...(r.error === undefined ? {} : { error: r.error }),
        };
        writeSync(fd, JSON.stringify(line) + "\n");
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}
