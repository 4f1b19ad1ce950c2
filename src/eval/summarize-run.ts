import type { QuestionResult } from "./eval-store.ts";
import { wilsonInterval } from "./wilson-interval.ts";

/** Totals of one run, in the shape `lmx eval --json` prints. */
export interface RunSummary {
  technique: string;
  model: string;
  /** correct / total, 0..1. */
  accuracy: number;
  correct: number;
  total: number;
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  mean_samples: number;
  mean_latency_ms: number;
  /** Wilson 95% interval of the accuracy. */
  ci95: [number, number];
}

/** Sums a run's question results; questions that failed count as wrong. */
export function summarizeRun(options: {
  technique: string;
  model: string;
  results: readonly QuestionResult[];
}): RunSummary {
  const { technique, model, results } = options;
  const total = results.length;
  let correct = 0;
  let calls = 0;
  let prompt = 0;
  let completion = 0;
  let cost = 0;
  let samples = 0;
  let latency = 0;
  for (const r of results) {
    if (r.correct) correct++;
    calls += r.calls;
    prompt += r.prompt_tokens;
    completion += r.completion_tokens;
    cost += r.cost_usd;
    samples += r.samples;
    latency += r.latency_ms;
  }
  return {
    technique,
    model,
    accuracy: total ? correct / total : 0,
    correct,
    total,
    calls,
    prompt_tokens: prompt,
    completion_tokens: completion,
    cost_usd: round(cost, 1e9),
    mean_samples: total ? round(samples / total, 1e4) : 0,
    mean_latency_ms: total ? round(latency / total, 1e3) : 0,
    ci95: wilsonInterval({ successes: correct, total }),
  };
}

function round(x: number, scale: number): number {
  return Math.round(x * scale) / scale;
}
