import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { createProgressBar } from "../../eval/progress-bar.ts";
import { evaluate } from "../../eval/evaluate.ts";
import { formatEvalTable } from "../../eval/format-eval-table.ts";
import { defaultModelSpec } from "../../providers/resolve-model.ts";
import { expandSweeps, parseTechniqueSpec } from "../../techniques/spec/index.ts";
import { configuredOtlpExporter } from "../../trace/otlp/configured-otlp-exporter.ts";
import { addBudgetOptions, budgetFromOptions } from "../budget-options.ts";
import type { CliIO } from "../cli-io.ts";
import { parseIntArg, parseNumberArg, parsePositiveIntArg, parseRangeArg } from "../parse-number.ts";
import { SAMPLING_RANGES } from "../../core/sampling-ranges.ts";
import { openRuntime } from "../runtime.ts";
import { addQueueOptions, queueRunnerFor, type QueueCliOptions } from "../queue-options.ts";

interface EvalOptions extends QueueCliOptions {
  data: string;
  model?: string;
  technique: string[];
  answer?: string;
  concurrency: number;
  limit?: number;
  out?: string;
  results?: string;
  records?: string;
  json?: boolean;
  cache: boolean;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  budgetTokens?: number;
  budgetCalls?: number;
  budgetUsd?: number;
  budgetTime?: number;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function configureEval(command: Command, program: Command, io: CliIO): void {
  command
    .requiredOption(
      "-d, --data <file>",
      'JSON lines of {"id"?, "question", "answer", "messages"?, "choices"?}, or a *.bank.jsonl sample bank',
    )
    .option("-m, --model <spec>", "model spec or alias (techniques may name their own with @MODEL)")
    .option(
      "-t, --technique <spec>",
      'technique spec, repeatable; sweeps expand: "self-consistency(n={1,2,4,8})"; "none" = the bare model',
      collect,
      [],
    )
    .option(
      "-a, --answer <kind>",
      "how answers are extracted and compared: auto, number, choice, text, literal, date or regex:<pattern>",
    )
    .option("--concurrency <n>", "questions in flight at once", parseIntArg, 8)
    .option("--limit <n>", "only the first n questions", parseIntArg)
    .option("-o, --out <dir>", "write report.html (and results.sqlite) into this folder")
    .option("--results <file>", "results file (default <out>/results.sqlite, else <state>/eval.sqlite)")
    .option(
      "--records <file>",
      "also write one JSON line per question and technique (answer, text, correct, samples, calls, usage, cost, trace id)",
    )
    .option("--json", "print one JSON object {runs: [...]} on stdout")
    .option("--no-cache", "do not use the response cache (on by default for evaluation)")
    .option("--temperature <x>", "sampling temperature (0 to 2)", parseRangeArg(SAMPLING_RANGES.temperature))
    .option("--max-tokens <n>", "completion token limit per call", parsePositiveIntArg)
    .option("--seed <n>", "seed for reproducible sampling", parseIntArg);
  addQueueOptions(command, "evaluate on lmx workers");
  addBudgetOptions(command).action(async (options: EvalOptions) => {
    const needsDefault = !options.model && !everySpecNamesModel(options.technique);
    const config = loadConfig({ path: program.opts().config });
    const model = options.model ?? (needsDefault ? await defaultModelSpec(config) : undefined);
    // Replaying recorded samples is free and instant already: a cache would only slow it down.
    const models = [model, ...specModels(options.technique)].filter((m): m is string => !!m);
    const replayOnly = models.every((m) => (config.aliases[m] ?? m).startsWith("replay:"));
    const runtime = openRuntime({ config: program.opts().config, cache: options.cache && !replayOnly });
    const exporter = configuredOtlpExporter({
      config: runtime.config,
      env: runtime.env,
      warn: (m) => io.stderr.write(`lmx: ${m}\n`),
    });
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once("SIGINT", onSigint);
    const queue = queueRunnerFor(options, runtime.config, io);
    const bar = createProgressBar({ out: io.stderr, tty: (io.stderr as { isTTY?: boolean }).isTTY === true });
    try {
      const evaluation = await evaluate({
        data: options.data,
        model,
        techniques: options.technique,
        answer: options.answer,
        limit: options.limit,
        out: options.out,
        results: options.results,
        dirsEnv: process.env,
        // With a database store and no results file named, results go to the database.
        ...(!options.results && !options.out && runtime.stores.backend === "postgres"
          ? { store: runtime.stores.evalResults() }
          : {}),
        records: options.records,
        concurrency: options.concurrency,
        budget: budgetFromOptions(options),
        seed: options.seed,
        request: {
          ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
          ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
        },
        signal: abort.signal,
        // The runtime's resolver expands aliases that name whole LM specs (`smart = self-consistency(n=5)@...`), as ask does.
        env: runtime.specEnv,
        ...(queue ? { runner: queue.run } : {}),
        onProblem: (p) => io.stderr.write(`lmx: ${options.data} line ${p.line}: ${p.message} (skipped)\n`),
        onRunStart: ({ plan, run, runs, total, skipped }) =>
          bar.start({ label: `[${run + 1}/${runs}] ${plan.technique}`, total, skipped }),
        onProgress: (p) => {
          bar.update(p);
          if (p.done === p.total) bar.finish();
        },
        onTrace: exporter ? (span) => exporter.export(span) : undefined,
      });
      bar.finish();
      const { outcome } = evaluation;
      if (options.json) io.stdout.write(JSON.stringify({ runs: outcome.runs }) + "\n");
      else io.stdout.write(formatEvalTable({ runs: outcome.runs }));
      io.stderr.write(
        `lmx: results in ${evaluation.results}${evaluation.report ? `; report: ${evaluation.report}` : ""}${evaluation.records ? `; records: ${evaluation.records}` : ""}\n`,
      );
      if (outcome.interrupted)
        throw new AbortedError("interrupted; finished questions are saved: run the same command again to resume");
    } finally {
      bar.finish();
      process.off("SIGINT", onSigint);
      await exporter?.shutdown();
      await queue?.close();
      await runtime.close();
    }
  });
}

/** The `@model`s technique specs name themselves (after sweeps). */
function specModels(techniques: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of techniques)
    for (const spec of safeExpand(t)) {
      try {
        const model = spec.trim() === "none" ? undefined : parseTechniqueSpec(spec).model;
        if (model) out.push(model);
      } catch {
        // A broken spec is reported, with its caret, when the runs are planned.
      }
    }
  return out;
}

function everySpecNamesModel(techniques: readonly string[]): boolean {
  if (techniques.length === 0) return false;
  return techniques.every((t) => safeExpand(t).every((spec) => spec.trim() !== "none" && hasModel(spec)));
}

function hasModel(spec: string): boolean {
  try {
    return parseTechniqueSpec(spec).model !== undefined;
  } catch {
    return true;
  }
}

function safeExpand(spec: string): string[] {
  try {
    return expandSweeps(spec);
  } catch {
    return [spec];
  }
}
