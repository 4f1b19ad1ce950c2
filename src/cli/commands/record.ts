import type { Command } from "commander";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { evalRequest } from "../../eval/eval-record.ts";
import { loadEvalData } from "../../eval/load-eval-data.ts";
import { recordBank } from "../../providers/replay/record-bank.ts";
import { addBudgetOptions, budgetFromOptions } from "../budget-options.ts";
import type { CliIO } from "../cli-io.ts";
import { parseIntArg, parseNumberArg, parsePositiveIntArg, parseRangeArg } from "../parse-number.ts";
import { SAMPLING_RANGES } from "../../core/sampling-ranges.ts";
import { openRuntime } from "../runtime.ts";
import { asRunStage } from "../run-failure.ts";

interface RecordOptions {
  model: string;
  data: string;
  samples: number;
  out: string;
  concurrency: number;
  limit?: number;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  cache?: boolean | string;
  budgetTokens?: number;
  budgetCalls?: number;
  budgetUsd?: number;
  budgetTime?: number;
}

export function configureRecord(command: Command, program: Command, io: CliIO): void {
  command
    .requiredOption("-m, --model <spec>", "model spec or alias to sample")
    .requiredOption("-d, --data <file>", 'questions: JSON lines of {"id"?, "question", "answer", "choices"?}')
    .requiredOption("-n, --samples <n>", "completions per question (asked as one request with n)", parseIntArg)
    .requiredOption("-o, --out <file>", "the bank to append to (ids already in it are skipped)")
    .option("--concurrency <n>", "questions in flight at once", parseIntArg, 4)
    .option("--limit <n>", "only the first n questions", parseIntArg)
    .option("-s, --system <text>", "system prompt")
    .option("--temperature <x>", "sampling temperature (0 to 2)", parseRangeArg(SAMPLING_RANGES.temperature))
    .option("--max-tokens <n>", "completion token limit per sample", parsePositiveIntArg)
    .option("--cache [path]", "cache responses in SQLite");
  addBudgetOptions(command).action(async (options: RecordOptions) => {
    if (options.samples < 1) throw new InvalidRequestError("--samples must be at least 1", { param: "samples" });
    const data = loadEvalData({ path: options.data });
    for (const p of data.problems) io.stderr.write(`lmx: ${options.data} line ${p.line}: ${p.message} (skipped)\n`);
    const records = options.limit === undefined ? data.records : data.records.slice(0, options.limit);
    // The bank holds the prompt exactly as eval asks it (choices included), so replays match.
    const questions = records.map((r) => ({
      id: r.id,
      question: contentText(evalRequest({ ...r, messages: undefined }).messages.at(-1)!.content),
      answer: r.answer,
    }));
    const runtime = openRuntime({ config: program.opts().config, cache: options.cache });
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once("SIGINT", onSigint);
    try {
      const lm = runtime.lm(options.model);
      const request: Partial<ChatRequest> = {
        ...(options.system ? { messages: [{ role: "system", content: options.system }] } : {}),
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
      };
      const ctx = createRunContext({ name: "record", budget: budgetFromOptions(options), signal: abort.signal });
      let printed = -1;
      const result = await asRunStage(() =>
        recordBank({
          lm,
          questions,
          samples: options.samples,
          out: options.out,
          concurrency: options.concurrency,
          request,
          ctx,
          onProgress: (p) => {
            const decile = Math.floor((10 * p.done) / Math.max(1, p.total));
            if (decile === printed && p.done < p.total) return;
            printed = decile;
            io.stderr.write(
              `record: ${p.done}/${p.total} · ${p.written} written · ${ctx.span.total.completion_tokens} completion tokens · $${ctx.span.total.cost_usd.toFixed(4)}\n`,
            );
          },
        }),
      );
      const incomplete = result.incomplete.length
        ? `; ${result.incomplete.length} incomplete (budget): ${result.incomplete.slice(0, 5).join(", ")}`
        : "";
      io.stderr.write(
        `lmx: ${result.written} questions written to ${options.out}, ${result.skipped} already there${incomplete}\n`,
      );
    } finally {
      process.off("SIGINT", onSigint);
      await runtime.close();
    }
  });
}
