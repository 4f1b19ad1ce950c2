import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderEvalReport } from "../web/eval-report.ts";
import type { EvalRecord } from "./eval-record.ts";
import type { EvalStore } from "./eval-store.ts";
import type { EvalRunPlan } from "./plan-eval-runs.ts";
import { buildReportData } from "./report-data.ts";
import type { RunSummary } from "./summarize-run.ts";

/** Writes `report.html` for an evaluation into `dir` (created if needed) and returns its path. */
export async function writeEvalReport(options: {
  dir: string;
  dataset: { path: string; hash: string; records: readonly EvalRecord[] };
  plans: readonly EvalRunPlan[];
  runs: readonly RunSummary[];
  store: EvalStore;
  /** The results file, named in the report's `lmx trace` hints. */
  results?: string;
  title?: string;
}): Promise<string> {
  const { dir, ...rest } = options;
  mkdirSync(dir, { recursive: true });
  const path = resolve(join(dir, "report.html"));
  writeFileSync(path, renderEvalReport(await buildReportData(rest)));
  return path;
}
