import { Option, type Command } from "commander";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult, Message, ReasoningEffort } from "../../core/types.ts";
import { defaultModelSpec } from "../../providers/resolve-model.ts";
import { extractAnswer } from "../../techniques/answers/index.ts";
import { addBudgetOptions, budgetFromOptions } from "../budget-options.ts";
import { parseIntArg, parseNumberArg, parsePositiveIntArg, parseRangeArg } from "../parse-number.ts";
import { SAMPLING_RANGES } from "../../core/sampling-ranges.ts";
import { readStdin } from "../read-stdin.ts";
import { asRunStage } from "../run-failure.ts";
import { openRuntime } from "../runtime.ts";
import { printTrace } from "../print-trace.ts";
import { keepTrace } from "../../store/trace-store/keep-trace.ts";
import type { CliIO } from "../cli-io.ts";

interface AskOptions {
  model?: string;
  technique?: string;
  json?: boolean;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  reasoningEffort?: ReasoningEffort;
  seed?: number;
  cache?: boolean | string;
  stream: boolean;
  trace?: boolean;
  budgetTokens?: number;
  budgetCalls?: number;
  budgetUsd?: number;
  budgetTime?: number;
}

export function configureAsk(command: Command, program: Command, io: CliIO): void {
  command
    .argument("[question...]", "the question")
    .option(
      "-m, --model <spec>",
      "model spec or alias (default: config, LMX_MODEL, OpenAI/Anthropic if configured, else embedded llama.cpp)",
    )
    .option("-t, --technique <spec>", 'technique spec, e.g. "self-consistency(n=5) > self-refine(rounds=2)"')
    .option("--json", 'print one JSON object: {"answer", "text", "usage", "finish_reason"}')
    .option("-s, --system <text>", "system prompt")
    .option("--temperature <x>", "sampling temperature (0 to 2)", parseRangeArg(SAMPLING_RANGES.temperature))
    .option("--max-tokens <n>", "completion token limit per call", parsePositiveIntArg)
    .addOption(
      new Option("--reasoning-effort <level>", "how hard a reasoning model thinks").choices([
        "none",
        "minimal",
        "low",
        "medium",
        "high",
        "xhigh",
      ]),
    )
    .option("--seed <n>", "seed for reproducible sampling", parseIntArg)
    .option(
      "--cache [path]",
      "cache responses in SQLite (default path LMX_CACHE or <cache>/cache.sqlite: ~/.cache/lmx)",
    )
    .option("--no-stream", "print the answer only when complete")
    .option("--trace", "print the trace tree to stderr");
  addBudgetOptions(command).action(async (words: string[], options: AskOptions) => {
    const question = (words.length ? words.join(" ") : await readStdin(io.stdin)).trim();
    if (!question) throw new InvalidRequestError("no question: pass it as an argument or on stdin");
    const runtime = openRuntime({ config: program.opts().config, cache: options.cache });
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once("SIGINT", onSigint);
    try {
      const modelSpec = options.model ?? (await defaultModelSpec(runtime.config));
      const lm = runtime.lm(modelSpec, options.technique);
      const messages: Message[] = options.system ? [{ role: "system", content: options.system }] : [];
      messages.push({ role: "user", content: question });
      const request: ChatRequest = {
        messages,
        temperature: options.temperature,
        max_tokens: options.maxTokens,
        seed: options.seed,
        reasoning_effort: options.reasoningEffort,
      };
      const ctx = runtime.runContext({
        name: "ask",
        budget: budgetFromOptions(options, runtime.limits.budget),
        signal: abort.signal,
        seed: options.seed,
      });
      const result = await asRunStage(() =>
        options.json || !options.stream ? lm.complete(request, ctx) : streamTo(io, lm.stream(request, ctx)),
      );
      const text = contentText(result.choices[0]?.message.content ?? null);
      const finish = result.choices[0]?.finish_reason ?? "stop";
      if (options.json) {
        const u = result.usage;
        io.stdout.write(
          JSON.stringify({
            answer: finish === "no_answer" ? null : (extractAnswer(text) ?? text.trim()),
            text,
            ...(result.choices[0]?.message.reasoning_content
              ? { reasoning: result.choices[0].message.reasoning_content }
              : {}),
            usage: {
              prompt_tokens: u.prompt_tokens,
              completion_tokens: u.completion_tokens,
              total_tokens: u.total_tokens,
              cached_tokens: u.cached_tokens,
              ...(u.reasoning_tokens !== undefined ? { reasoning_tokens: u.reasoning_tokens } : {}),
              calls: u.calls,
              cost_usd: u.cost_usd,
              cache_hits: u.cache_hits,
              ...(u.replayed ? { replayed: u.replayed } : {}),
            },
            finish_reason: finish,
            model: lm.id,
            trace_id: result.trace_id,
          }) + "\n",
        );
      } else if (!options.stream) io.stdout.write(text + "\n");
      if (finish === "budget" || finish === "aborted")
        io.stderr.write(`lmx: stopped early (${finish}); this is the best answer so far\n`);
      const traceId = await keepTrace({
        span: ctx.span,
        model: modelSpec,
        lm: lm.id,
        stream: !options.json && options.stream,
        config: runtime.config,
        limits: runtime.limits.traces,
        openStore: (limits) => runtime.stores.traces(limits),
        warn: (m) => io.stderr.write(`lmx: ${m}\n`),
      });
      if (options.trace) {
        printTrace(ctx.span, io.stderr);
        io.stderr.write(`trace: ${traceId}\n`);
      }
    } finally {
      process.off("SIGINT", onSigint);
      await runtime.close();
    }
  });
}

async function streamTo(
  io: CliIO,
  events: AsyncIterable<import("../../core/types.ts").StreamEvent>,
): Promise<ChatResult> {
  let result: ChatResult | undefined;
  let wrote = false;
  for await (const event of events) {
    if (event.type === "delta" && event.index === 0 && event.content) {
      io.stdout.write(event.content);
      wrote = true;
    } else if (event.type === "result") result = event.result;
  }
  if (wrote) io.stdout.write("\n");
  if (!result) throw new Error("the model's stream ended without a result");
  return result;
}
