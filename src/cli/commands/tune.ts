import { Option, type Command } from "commander";
import { loadConfig } from "../../config/load-config.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { LmxError } from "../../core/errors/lmx-error.ts";
import { createProgressBar } from "../../eval/progress-bar.ts";
import { defaultModelSpec } from "../../providers/resolve-model.ts";
import { didYouMean } from "../../techniques/spec/index.ts";
import type { ReasoningEffort } from "../../core/types.ts";
import {
  formatTuneTable,
  parseReasoningEfforts,
  saveAlias,
  tune,
  type TuneProgress,
  type TuneResult,
} from "../../tune/index.ts";
import type { CliIO } from "../cli-io.ts";
import { parseIntArg, parseNumberArg } from "../parse-number.ts";
import { openRuntime } from "../runtime.ts";
import { addQueueOptions, queueRunnerFor, type QueueCliOptions } from "../queue-options.ts";

interface TuneCliOptions extends QueueCliOptions {
  data: string;
  model?: string;
  candidates: string[];
  param: string[];
  maxTokensPerQuestion?: number;
  maxCostPerQuestion?: number;
  maxCallsPerQuestion?: number;
  answer?: string;
  testFraction: number;
  bootstrapDemos: number;
  bootstrapQuestions?: number;
  teacher?: string;
  demosDir: string;
  proposePrompts: number;
  proposer?: string;
  strategy: "successive-halving" | "grid";
  minQuestions: number;
  maxCandidates: number;
  maxDimensions: number;
  reasoningEffort?: ReasoningEffort[];
  discover: boolean;
  seed: number;
  limit?: number;
  concurrency: number;
  results?: string;
  cache: boolean;
  temperature?: number;
  maxTokens?: number;
  saveAlias?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function configureTune(command: Command, program: Command, io: CliIO): void {
  addQueueOptions(command, "evaluate each round on lmx workers");
  command
    .requiredOption(
      "-d, --data <file>",
      'JSON lines of {"id"?, "question", "answer", ...}, or a *.bank.jsonl sample bank',
    )
    .option("-m, --model <spec>", "model spec or alias the candidates run on")
    .option(
      "--candidates <spec...>",
      'candidate specs (sweeps expand; "none" = the bare model); default: none, self-consistency, adaptive-consistency, re2, plan-and-solve, self-refine',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option(
      "--param <key=values>",
      "tune only these parameters over these values, repeatable: n=1,3,5 or self-consistency.n=1,3",
      collect,
      [],
    )
    .option(
      "--max-tokens-per-question <n>",
      "the chosen configuration may spend at most this many tokens per question on average",
      parseNumberArg,
    )
    .option("--max-cost-per-question <usd>", "... at most this many dollars per question on average", parseNumberArg)
    .option("--max-calls-per-question <n>", "... at most this many model calls per question on average", parseNumberArg)
    .option(
      "-a, --answer <kind>",
      "how answers are extracted and compared: auto, number, choice, text, literal, date or regex:<pattern>",
    )
    .option(
      "--test-fraction <f>",
      "hold out this share of the questions to test the winner (exposes overfitting)",
      parseNumberArg,
      0,
    )
    .option(
      "--bootstrap-demos <k>",
      "bootstrap up to k demonstrations from correctly answered training questions and try few-shot",
      parseIntArg,
      0,
    )
    .option(
      "--bootstrap-questions <n>",
      "training questions to bootstrap from (default max(4k, 10), at most a quarter of the data)",
      parseIntArg,
    )
    .option("--teacher <spec>", "technique that answers the training questions (default: the bare model)")
    .option("--demos-dir <dir>", "where bootstrapped demos files are written", "tuned")
    .option(
      "--propose-prompts <n>",
      "ask the model for n rewrites of each candidate's main instruction (OPRO-style)",
      parseIntArg,
      0,
    )
    .option("--proposer <spec>", "model that writes the rewrites (default: --model)")
    .addOption(
      new Option("--strategy <name>", "successive-halving, or grid (every candidate on every question)")
        .choices(["successive-halving", "grid"])
        .default("successive-halving"),
    )
    .option("--min-questions <n>", "fewest questions a round ranks candidates on", parseIntArg, 10)
    .option("--max-candidates <n>", "at most this many candidates", parseIntArg, 48)
    .option(
      "--max-dimensions <n>",
      "parameters varied per technique when discovering (main knob first)",
      parseIntArg,
      1,
    )
    .option(
      "--reasoning-effort <levels>",
      "also search the reasoning_effort sent to the model: comma-separated, of none, minimal, low, medium, high, xhigh",
      parseReasoningEfforts,
    )
    .option("--no-discover", "tune only the candidates as written")
    .option("--seed <n>", "seed of the split, the rounds' questions and sampling", parseIntArg, 0)
    .option("--limit <n>", "only the first n questions", parseIntArg)
    .option("--concurrency <n>", "questions in flight at once", parseIntArg, 8)
    .option("--results <file>", "results file (default <state>/eval.sqlite, shared with lmx eval)")
    .option("--no-cache", "do not use the response cache")
    .option("--temperature <x>", "sampling temperature", parseNumberArg)
    .option("--max-tokens <n>", "completion token limit per call", parseIntArg)
    .option("--save-alias <name>", "save the winner as an alias in lmx.config.json (for lmx ask -m NAME and lmx serve)")
    .option("--json", "print one JSON object on stdout")
    .action(async (options: TuneCliOptions) => {
      const configPath = program.opts().config as string | undefined;
      const config = loadConfig({ path: configPath });
      const model = options.model ?? (await defaultModelSpec(config));
      const replayOnly = [model, options.proposer]
        .filter(Boolean)
        .every((m) => (config.aliases[m!] ?? m!).startsWith("replay:"));
      const runtime = openRuntime({ config: configPath, cache: options.cache && !replayOnly });
      if (options.saveAlias) checkAliasName(options.saveAlias, runtime.registry.names());
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once("SIGINT", onSigint);
      const report = progressPrinter(io);
      const queue = queueRunnerFor(options, runtime.config, io);
      try {
        const result = await tune({
          data: options.data,
          model,
          candidates: options.candidates,
          space: {
            params: options.param,
            discover: options.discover,
            maxDimensions: options.maxDimensions,
            maxCandidates: options.maxCandidates,
            ...(options.reasoningEffort ? { reasoningEfforts: options.reasoningEffort } : {}),
          },
          budget: {
            tokens_per_question: options.maxTokensPerQuestion,
            cost_per_question: options.maxCostPerQuestion,
            calls_per_question: options.maxCallsPerQuestion,
          },
          answer: options.answer,
          env: runtime.specEnv,
          testFraction: options.testFraction,
          limit: options.limit,
          seed: options.seed,
          strategy: options.strategy,
          minQuestions: options.minQuestions,
          concurrency: options.concurrency,
          ...(queue ? { runner: queue.run } : {}),
          results: options.results,
          dirsEnv: process.env,
          // With a database store and no results file named, results go to the database.
          ...(!options.results && runtime.stores.backend === "postgres" ? { store: runtime.stores.evalResults() } : {}),
          request: {
            ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
            ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
          },
          ...(options.bootstrapDemos > 0
            ? {
                bootstrap: {
                  demos: options.bootstrapDemos,
                  questions: options.bootstrapQuestions,
                  dir: options.demosDir,
                  teacher: options.teacher,
                },
              }
            : {}),
          ...(options.proposePrompts > 0
            ? { propose: { prompts: options.proposePrompts, model: options.proposer } }
            : {}),
          signal: abort.signal,
          onProblem: (p) => io.stderr.write(`lmx: ${options.data} line ${p.line}: ${p.message} (skipped)\n`),
          onProgress: report,
        });
        report.done();
        io.stdout.write(options.json ? JSON.stringify(result) + "\n" : formatTuneTable({ result }));
        notes(io, result);
        if (!result.best)
          throw new LmxError("no_candidate", "no candidate fits the budget: raise it, or add cheaper candidates");
        if (options.saveAlias) {
          const saved = saveAlias({
            path: configPath ?? config.env.LMX_CONFIG ?? "lmx.config.json",
            name: options.saveAlias,
            spec: result.best.spec,
          });
          io.stderr.write(
            `lmx: saved alias ${options.saveAlias} = ${result.best.spec} in ${saved.path}${saved.previous ? ` (was ${saved.previous})` : ""}\n`,
          );
        }
      } finally {
        report.done();
        process.off("SIGINT", onSigint);
        await queue?.close();
        await runtime.close();
      }
    });
}

/** An alias that reads as a technique (or a typo of one) would never reach the alias table. */
function checkAliasName(name: string, techniques: string[]): void {
  const clash = techniques.includes(name) ? name : didYouMean({ word: name, candidates: techniques });
  if (clash)
    throw new InvalidRequestError(
      `--save-alias ${name}: too close to the technique "${clash}"; lmx would read it as that technique, so pick another name`,
      { param: "save_alias" },
    );
}

/** Progress on stderr: a line per round and per candidate run; on a terminal a live bar while a run goes. */
function progressPrinter(io: CliIO): ((p: TuneProgress) => void) & { done(): void } {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const bar = createProgressBar({ out: io.stderr, tty: true });
  const write = (line: string) => io.stderr.write(line + "\n");
  const print = (p: TuneProgress) => {
    if (p.type === "split")
      write(
        `lmx: tuning on ${p.dev} questions${p.test ? `, ${p.test} held out for testing` : ""}${p.train ? `, ${p.train} for demonstrations` : ""}`,
      );
    else if (p.type === "space")
      write(
        `lmx: ${p.candidates} candidates${p.skipped ? ` (${p.skipped} variant${p.skipped === 1 ? "" : "s"} rejected by their technique)` : ""}${p.truncated ? ` (${p.truncated} left out by --max-candidates)` : ""}`,
      );
    else if (p.type === "round")
      write(
        `round ${p.round}/${p.rounds}: ${p.candidates} candidate${p.candidates === 1 ? "" : "s"} × ${p.questions} questions`,
      );
    else if (p.type === "run-start" && tty && p.total > 0)
      bar.start({ label: `  ${p.technique}`, total: p.total, skipped: p.skipped });
    else if (p.type === "run-progress" && tty) bar.update(p.progress);
    else if (p.type === "run-end") {
      bar.finish();
      const figures = p.failed
        ? `failed: ${p.failed}`
        : `${(100 * (p.accuracy ?? 0)).toFixed(1)}% on ${p.questions} · ${Math.round(p.compute?.tokens ?? 0)} tok/q`;
      write(`  ${p.stage === "round" ? "" : `${p.stage}: `}${p.technique}  ${figures}`);
    } else if (p.type === "dropped") write(`  dropped ${p.technique}: ${p.reason} (${p.detail})`);
  };
  return Object.assign(print, { done: () => bar.finish() });
}

function notes(io: CliIO, result: TuneResult): void {
  const d = result.demos;
  if (d)
    io.stderr.write(
      `lmx: demos: ${d.path ?? "none"} (${d.count} kept of ${d.correct} correct answers to ${d.tried} training questions)\n`,
    );
  for (const failure of result.proposals?.failures ?? []) io.stderr.write(`lmx: prompt proposal: ${failure}\n`);
  io.stderr.write(
    `lmx: ${result.evaluated} question-runs evaluated, ${result.reused} reused; results in ${result.results}\n`,
  );
}
