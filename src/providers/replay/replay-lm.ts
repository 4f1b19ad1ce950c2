import { FREE } from "../../accounting/free.ts";
import { estimatePromptTokens } from "../../accounting/estimate-tokens.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { Capabilities, ChatRequest, Choice, LM } from "../../core/types.ts";
import { completionCap } from "../completion-cap.ts";
import { defineProvider, type ProviderOptions } from "../define-provider.ts";
import type { DriverResult, DriverStreamEvent, ProviderDriver } from "../provider-driver.ts";
import { QuestionIndex } from "./question-index.ts";
import { loadSampleBank, type BankRecord, type SampleBank } from "./sample-bank.ts";

export interface ReplayOptions extends ProviderOptions {
  /** Path to a `*.bank.jsonl` sample bank (see loadSampleBank). */
  bank: string;
}

/** A replay LM also exposes its bank and the record a request would be answered from (for eval code). */
export interface ReplayLM extends LM {
  readonly bank: SampleBank;
  findRecord(request: ChatRequest): BankRecord | undefined;
}

const capabilities: Capabilities = {
  nativeN: true,
  logprobs: false,
  tools: false,
  streaming: true,
  constrainedOutput: false,
};

/**
 * A base LM that answers from recorded samples, free and offline (model id `replay:<bank path>`).
 * Choice k of a call at sample index i is recorded sample `(i + k) % samples.length`, so sample-many
 * techniques replay the way the self-consistency papers evaluate: sample once, vote many times.
 * The question is found by exact match of the last user message, else as the longest bank question
 * contained in a user or system message (techniques wrap questions in their own prompts).
 *
 * Limit: it can only answer the bank's questions. A request that contains no bank question (a
 * technique's critique or decomposition prompt, say) is an InvalidRequestError, and a request that
 * embeds a question while asking something else about it still gets that question's recorded answers.
 * Usage: prompt tokens are estimated from the request, completion tokens are ~4 characters a token,
 * and the cost is 0. `stop` and `max_tokens` cut samples the way a live model would stop.
 */
export function replayLM(options: ReplayOptions): ReplayLM {
  const { bank: path, ...providerOptions } = options;
  const bank = loadSampleBank(path);
  const index = new QuestionIndex(bank);

  function complete(request: ChatRequest, sampleIndex: number): DriverResult {
    const record = index.find(request);
    if (!record) throw new InvalidRequestError(noMatchMessage(bank), { param: "messages" });
    const choices: Choice[] = [];
    let completion = 0;
    for (let k = 0; k < (request.n ?? 1); k++) {
      const { text, finish } = shape(record.samples[(sampleIndex + k) % record.samples.length]!, request);
      completion += approximateTokens(text);
      choices.push({ index: k, message: { role: "assistant", content: text }, finish_reason: finish, logprobs: null });
    }
    return {
      id: `replay-${record.id}-${sampleIndex}`,
      model: path,
      choices,
      usage: { prompt_tokens: estimatePromptTokens(request), completion_tokens: completion },
    };
  }

  const driver: ProviderDriver = {
    provider: "replay",
    prices: FREE,
    model: path,
    capabilities,
    complete: async (request, o) => complete(request, o.sampleIndex),
    async *stream(request, o): AsyncIterable<DriverStreamEvent> {
      const result = complete({ ...request, n: 1 }, o.sampleIndex);
      const text = result.choices[0]!.message.content ?? "";
      for (const piece of text.match(/\S+\s*|\s+/g) ?? []) yield { type: "delta", index: 0, content: piece };
      yield { type: "done", result };
    },
  };
  return Object.assign(defineProvider(driver, { limiter: 64, ...providerOptions }), {
    bank,
    findRecord: (request: ChatRequest) => index.find(request),
  });
}

function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Applies the request's stop sequences and token limit to a recorded sample. */
function shape(sample: string, request: ChatRequest): { text: string; finish: Choice["finish_reason"] } {
  let text = sample;
  const stops = request.stop === undefined ? [] : Array.isArray(request.stop) ? request.stop : [request.stop];
  for (const stop of stops) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at >= 0) text = text.slice(0, at);
  }
  const limit = completionCap(request);
  if (limit !== undefined && approximateTokens(text) > limit)
    return { text: text.slice(0, Math.max(0, limit) * 4), finish: "length" };
  return { text, finish: "stop" };
}

function noMatchMessage(bank: SampleBank): string {
  const examples = bank.records.slice(0, 2).map((r) => `${r.id} (${JSON.stringify(clip(r.question.trim(), 60))})`);
  return (
    `replay: no question in bank ${bank.path} matches the request; the bank has ${bank.records.length} questions such as ${examples.join(" and ")}. ` +
    `A replay model answers only prompts that contain one of its questions.`
  );
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
