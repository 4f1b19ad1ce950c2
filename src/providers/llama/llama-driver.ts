import { FREE } from "../../accounting/free.ts";
import { randomInt, randomUUID } from "node:crypto";
import os from "node:os";
import type { ChatWrapper, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText } from "../../core/messages.ts";
import type { ChatRequest, Choice } from "../../core/types.ts";
import { completionCap } from "../completion-cap.ts";
import { deriveSeed } from "../define-provider.ts";
import type { DriverCallOptions, DriverResult, DriverStreamEvent, ProviderDriver } from "../provider-driver.ts";
import { Limiter } from "../resilience/limiter.ts";
import { opensThinking, splitThink, ThinkSplitter, type SplitPiece } from "../reasoning/think-splitter.ts";
import { thinkingCap } from "../reasoning/thinking-cap.ts";
import { renderChatPrompt } from "./chat-prompt.ts";
import { generateSample, type SampleResult } from "./generate-sample.ts";
import { loadedNodeLlamaCpp } from "./load-node-llama-cpp.ts";
import type { Sampling } from "./sampling.ts";
import { acquireModel, type ModelHandle } from "./llama-runtime.ts";
import { resolveModelFile, type ResolveModelFileOptions } from "./resolve-model-file.ts";
import { grammarForResponseFormat } from "./response-grammar.ts";

export interface LlamaDriverOptions extends Omit<ResolveModelFileOptions, "model"> {
  /** A GGUF file path, or `hf:owner/repo/file.gguf` (downloaded on first use). */
  model: string;
  /**
   * CPU threads per evaluation. Default: available cores - 1, between 1 and 4. On a small shared
   * machine pass 1 (lmx's tests do): oversubscribed threads make llama.cpp far slower, not faster.
   */
  threads?: number;
  /** Context window in tokens (default: the model's, at most 4096). */
  contextSize?: number;
  /** Offload to a GPU when one is found (default false: CPU only). */
  gpu?: boolean;
  /** Parallel context sequences, i.e. concurrent calls (default 1). */
  sequences?: number;
  /** Sampling used when a request does not say (default llama.cpp server's: 0.8, top_k 40, top_p 0.95, min_p 0.05). */
  sampling?: Partial<Omit<Sampling, "seed">>;
}

interface Loaded {
  handle: ModelHandle;
  context: LlamaContext;
  chatWrapper: ChatWrapper;
  free: LlamaContextSequence[];
  slots: Limiter;
}

const DEFAULT_SAMPLING = { temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05 };

/** Resolving the wrapper renders the template against every known format (~0.3 s), so once per model. */
const chatWrappers = new WeakMap<LlamaModel, ChatWrapper>();
function chatWrapperOf(model: LlamaModel): ChatWrapper {
  let wrapper = chatWrappers.get(model);
  if (!wrapper) chatWrappers.set(model, (wrapper = loadedNodeLlamaCpp().resolveChatWrapper(model)));
  return wrapper;
}

/** The default thread count: leave a core for everything else, and more than 4 rarely helps a CPU. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

/**
 * The embedded llama.cpp driver. The model loads on the first call (shared with every driver on the same
 * file) and stays loaded until `close()`. Prompts go through the model's chat template; sampling,
 * stop sequences, JSON grammars and token logprobs are done token by token here.
 */
export function createLlamaDriver(options: LlamaDriverOptions): ProviderDriver & { close(): Promise<void> } {
  const sequences = options.sequences ?? 1;
  if (!Number.isInteger(sequences) || sequences < 1)
    throw new ConfigurationError(`llama sequences must be an integer >= 1, got ${sequences}`);
  const sampling = { ...DEFAULT_SAMPLING, ...options.sampling };
  let loading: Promise<Loaded> | undefined;

  async function load(): Promise<Loaded> {
    const path = await resolveModelFile(options);
    const handle = await acquireModel({ path, gpu: options.gpu });
    try {
      const context = await handle.model.createContext({
        contextSize: options.contextSize ?? { max: 4096 },
        threads: options.threads ?? defaultThreads(),
        sequences,
      });
      const free = Array.from({ length: sequences }, () => context.getSequence());
      return { handle, context, chatWrapper: chatWrapperOf(handle.model), free, slots: new Limiter(sequences) };
    } catch (error) {
      await handle.release();
      throw new ConfigurationError(
        `cannot create a llama.cpp context for ${path}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  function ready(signal: AbortSignal): Promise<Loaded> {
    if (!loading) {
      const attempt = load();
      loading = attempt;
      // A failed load (offline, bad file) is not remembered: the next call tries again.
      attempt.catch(() => loading === attempt && (loading = undefined));
    }
    return untilAborted(loading, signal);
  }

  async function* run(request: ChatRequest, o: DriverCallOptions): AsyncGenerator<DriverStreamEvent, DriverResult> {
    if (request.tools?.length)
      throw new InvalidRequestError("the embedded llama.cpp provider does not take tools", { param: "tools" });
    const loaded = await ready(o.signal);
    const { model } = loaded.handle;
    const prompt = renderChatPrompt({ model, chatWrapper: loaded.chatWrapper, messages: request.messages });
    const open = opensThinking(lastAssistantText(request), model.detokenize(prompt.tokens.slice(-16), true));
    const grammar = await grammarForResponseFormat({ llama: loaded.handle.llama, format: request.response_format });
    const stop = request.stop === undefined ? [] : Array.isArray(request.stop) ? request.stop : [request.stop];
    const baseSeed = o.seed ?? randomInt(0, 2 ** 31 - 1);
    const release = await loaded.slots.acquire(o.signal);
    const sequence = loaded.free.pop()!;
    try {
      const choices: Choice[] = [];
      const usage = { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, reasoning_tokens: 0 };
      for (let k = 0; k < (request.n ?? 1); k++) {
        const samples = generateSample({
          model,
          sequence,
          prompt,
          sampling: {
            ...sampling,
            temperature: request.temperature ?? sampling.temperature,
            topP: request.top_p ?? sampling.topP,
            seed: deriveSeed(baseSeed, k)!,
            presencePenalty: request.presence_penalty,
            frequencyPenalty: request.frequency_penalty,
          },
          maxTokens: completionCap(request),
          thinkingCap: thinkingCap(request.reasoning_effort),
          thinkingOpen: open,
          stop,
          grammar,
          logprobs: request.logprobs ? { top: request.top_logprobs ?? 0 } : undefined,
          signal: o.signal,
        });
        const sample = yield* deltas(samples, k, open);
        // The prompt is charged once per call, as OpenAI does for n samples.
        if (k === 0) {
          usage.prompt_tokens = sample.promptTokens;
          usage.cached_tokens = sample.cachedTokens;
        }
        usage.completion_tokens += sample.completionTokens;
        const { content, reasoning } = splitThink(sample.content, { open });
        usage.reasoning_tokens += sample.reasoningTokens;
        choices.push({
          index: k,
          message: { role: "assistant", content, ...(reasoning ? { reasoning_content: reasoning } : {}) },
          finish_reason: sample.finishReason,
          logprobs: sample.logprobs ? { content: sample.logprobs } : null,
        });
      }
      return { id: `llama-${randomUUID()}`, model: options.model, choices, usage };
    } finally {
      loaded.free.push(sequence);
      release();
    }
  }

  return {
    provider: "llama",
    prices: FREE,
    model: options.model,
    capabilities: { nativeN: false, logprobs: true, tools: false, streaming: true, constrainedOutput: true },
    async complete(request, o) {
      const events = run(request, o);
      let step = await events.next();
      while (!step.done) step = await events.next();
      return step.value;
    },
    async *stream(request, o) {
      yield { type: "done", result: yield* run(request, o) };
    },
    async close() {
      const current = loading;
      loading = undefined;
      const loaded = await current?.catch(() => undefined);
      if (!loaded) return;
      // Calls already running finish first: their sequences are freed only when they do.
      await Promise.all(Array.from({ length: sequences }, () => loaded.slots.acquire()));
      await loaded.context.dispose();
      await loaded.handle.release();
    },
  };
}

/**
 * Text deltas of one sample as stream events, a leading `<think>` block as reasoning; closing the
 * stream early closes the sample too.
 */
async function* deltas(
  samples: AsyncGenerator<string, SampleResult>,
  index: number,
  open: boolean,
): AsyncGenerator<DriverStreamEvent, SampleResult> {
  const think = new ThinkSplitter({ open });
  const event = (piece: SplitPiece): DriverStreamEvent | undefined =>
    piece.content || piece.reasoning ? { type: "delta", index, ...piece } : undefined;
  try {
    let step = await samples.next();
    for (; !step.done; step = await samples.next()) {
      const e = event(think.push(step.value));
      if (e) yield e;
    }
    const last = event(think.end());
    if (last) yield last;
    return step.value;
  } finally {
    await samples.return(undefined as never);
  }
}

/** The text of the request's last message when it is the assistant's (a prefill the model continues). */
function lastAssistantText(request: ChatRequest): string | undefined {
  const last = request.messages.at(-1);
  return last?.role === "assistant" ? contentText(last.content) : undefined;
}

/** Waits for `promise` unless the caller gives up first (the shared load itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener("abort", onAbort), resolve(value)),
      (error) => (signal.removeEventListener("abort", onAbort), reject(error)),
    );
  });
}
