import type { EvalRecord } from "./eval-record.ts";
import type { EvalStore } from "./eval-store.ts";
import { computeAxis } from "./compute-axis.ts";
import { paretoFrontier } from "./pareto-frontier.ts";
import type { EvalRunPlan } from "./plan-eval-runs.ts";
import { clip, questionDetail } from "./question-detail.ts";
import { runKey } from "./run-eval.ts";
import type { RunSummary } from "./summarize-run.ts";

/** Per cascade rung of a run: questions that reached it, samples it drew, and how many it escalated. */
export interface ReportRung {
  step: number;
  model: string;
  questions: number;
  /** Samples drawn at this rung in all (null: not recorded, as for the top model's final answer). */
  samples: number | null;
  escalations: number;
}

/** A run in the report: its summary, compute per question, whether it is on the Pareto frontier, and its cascade rungs. */
export type ReportRun = RunSummary & { compute: number; pareto: boolean; rungs: ReportRung[] };

/**
 * One question's result under one run. Texts are indices into `ReportData.strings` (samples repeat
 * across runs of a sweep, so each distinct text is stored once).
 */
export interface ReportCell {
  /** 1 correct, 0 wrong. */
  c: 0 | 1;
  /** Extracted answer, -1 when none. */
  a: number;
  /** Final response. */
  t: number;
  /** Error message, when the question failed. */
  e?: number;
  /** Samples: [stage, text] (and 1 when served from the cache). */
  s: ([number, number] | [number, number, 1])[];
  /** Votes: stage, [answer, count] groups, winner (-1 none). */
  v: { st: number; g: [number, number][]; w: number }[];
  /** Critiques: [stage, text]. */
  k: [number, number][];
  /** Trace id (string index), for `lmx trace`. */
  tr?: number;
  /** Cascade rungs: [step, model, decision, confidence (-1 none), drawn (-1), planned (-1)]. */
  u?: [number, number, number, number, number, number][];
}

export interface ReportQuestion {
  id: string;
  /** Question and reference answer (string indices). */
  q: number;
  gold: number;
  /** One cell per run, null where the run has no result for it. */
  r: (ReportCell | null)[];
}

export interface ReportData {
  title: string;
  dataset: string;
  generated: string;
  /** The results file, for the `lmx trace ID --results FILE` hint. */
  results?: string;
  axis: { unit: "usd" | "tokens"; label: string };
  runs: ReportRun[];
  questions: ReportQuestion[];
  strings: string[];
}

/** Gathers what report.html shows from the results file: summaries, and each question's samples, votes and critiques. */
export async function buildReportData(options: {
  title?: string;
  dataset: { path: string; hash: string; records: readonly EvalRecord[] };
  plans: readonly EvalRunPlan[];
  runs: readonly RunSummary[];
  store: EvalStore;
  results?: string;
  maxText?: number;
}): Promise<ReportData> {
  const { dataset, plans, runs, store, maxText = 400 } = options;
  const strings: string[] = [];
  const index = new Map<string, number>();
  const str = (text: string, max = maxText) => {
    const t = clip(text, max);
    let i = index.get(t);
    if (i === undefined) index.set(t, (i = strings.push(t) - 1));
    return i;
  };
  const axis = computeAxis(runs);
  const frontier = paretoFrontier(runs.map((r) => ({ compute: axis.of(r), accuracy: r.accuracy })));
  const rows = new Map(dataset.records.map((rec, i) => [rec.id, i]));
  const questions: ReportQuestion[] = dataset.records.map((rec) => ({
    id: rec.id,
    q: str(rec.question, 1500),
    gold: str(rec.answer),
    r: plans.map(() => null),
  }));

  const rungs: Map<string, ReportRung>[] = plans.map(() => new Map());
  for (const [p, plan] of plans.entries()) {
    const key = runKey(dataset.hash, plan);
    const results = new Map((await store.results(key)).map((r) => [r.question_id, r]));
    for await (const [id, trace] of store.traces(key)) {
      const row = rows.get(id);
      const result = results.get(id);
      if (row === undefined || !result) continue;
      const detail = questionDetail(trace, { maxText });
      questions[row]!.r[p] = {
        c: result.correct ? 1 : 0,
        a: result.answer === undefined ? -1 : str(result.answer),
        t: str(result.text, maxText * 2),
        ...(result.error === undefined ? {} : { e: str(result.error) }),
        s: detail.samples.map((s) => (s.cached ? [str(s.stage), str(s.text), 1] : [str(s.stage), str(s.text)])),
        v: detail.votes.map((v) => ({
          st: str(v.stage),
          g: v.groups.map((g) => [str(g.answer), g.count]),
          w: v.winner === null ? -1 : str(v.winner),
        })),
        k: detail.critiques.map((k) => [str(k.stage), str(k.text)]),
        ...(result.trace_id ? { tr: str(result.trace_id) } : {}),
        ...(detail.rungs.length
          ? {
              u: detail.rungs.map((u) => [
                u.step,
                str(u.model),
                str(u.decision),
                u.confidence ?? -1,
                u.drawn ?? -1,
                u.planned ?? -1,
              ]),
            }
          : {}),
      };
      for (const u of detail.rungs) {
        const key = `${u.step}\u0000${u.model}`;
        const rung: ReportRung = rungs[p]!.get(key) ?? {
          step: u.step,
          model: u.model,
          questions: 0,
          samples: null,
          escalations: 0,
        };
        rung.questions++;
        if (u.drawn !== undefined) rung.samples = (rung.samples ?? 0) + u.drawn;
        if (u.decision === "escalate") rung.escalations++;
        rungs[p]!.set(key, rung);
      }
    }
  }

  return {
    title: options.title ?? `lmx eval: ${dataset.path}`,
    dataset: dataset.path,
    generated: new Date().toISOString(),
    ...(options.results ? { results: options.results } : {}),
    axis: { unit: axis.unit, label: axis.label },
    runs: runs.map((r, i) => ({
      ...r,
      compute: axis.of(r),
      pareto: frontier[i]!,
      rungs: [...(rungs[i] ?? new Map<string, ReportRung>()).values()].sort((a, b) => a.step - b.step),
    })),
    questions,
    strings,
  };
}
