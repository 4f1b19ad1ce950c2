import type { LlamaContextSequence, LlamaGrammar, LlamaModel, Token } from "node-llama-cpp";
import { loadedNodeLlamaCpp } from "./load-node-llama-cpp.ts";
import type { Sampling } from "./sampling.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { TokenLogprob } from "../../core/types.ts";
import type { ChatPrompt } from "./chat-prompt.ts";
import { StopDetector } from "./stop-detector.ts";

export interface GenerateSampleOptions {
  model: LlamaModel;
  sequence: LlamaContextSequence;
  prompt: ChatPrompt;
  sampling: Sampling;
  maxTokens?: number;
  stop?: readonly string[];
  grammar?: LlamaGrammar;
  /**
   * Most tokens a `<think>` block at the start of the answer may take: at the cap the block is closed
   * for the model (its next tokens replaced by `</think>`), so it answers (reasoning_effort on local models).
   */
  thinkingCap?: number;
  /** The prompt opened the `<think>` block (a template's or a prefill's): the sample starts inside it. */
  thinkingOpen?: boolean;
  /** Token logprobs wanted, with `top` alternatives per token (OpenAI's top_logprobs). */
  logprobs?: { top: number };
  signal: AbortSignal;
}

export interface SampleResult {
  content: string;
  finishReason: "stop" | "length";
  promptTokens: number;
  /** Prompt tokens whose evaluation was kept from the previous call on this sequence. */
  cachedTokens: number;
  completionTokens: number;
  /** Tokens of a leading `<think>` block (with its tags), a part of completionTokens. */
  reasoningTokens: number;
  logprobs?: TokenLogprob[];
}

/** The prompt head last evaluated on each sequence (all prompt tokens but the last). */
const evaluatedHeads = new WeakMap<LlamaContextSequence, Token[]>();

/**
 * Generates one sample on a context sequence, yielding text deltas as they become final and
 * returning the whole sample. Sampling is reproducible: the same prompt and seed give the same tokens.
 */
export async function* generateSample(o: GenerateSampleOptions): AsyncGenerator<string, SampleResult> {
  const { model, sequence, signal } = o;
  const prompt = o.prompt.tokens;
  if (prompt.length === 0) throw new InvalidRequestError("the prompt rendered to no tokens", { param: "messages" });
  const room = sequence.contextSize - prompt.length;
  if (room < 1)
    throw new InvalidRequestError(
      `the prompt has ${prompt.length} tokens but the context holds ${sequence.contextSize}`,
      { param: "messages" },
    );
  const maxTokens = Math.min(o.maxTokens ?? room, room);
  const cachedTokens = await loadPrompt(sequence, prompt);
  if (signal.aborted) throw new AbortedError();

  const detector = stopDetector(model, o);
  const lastPromptTokens = prompt.slice(-4);
  const detokenize = (tokens: readonly Token[]) => model.detokenize(tokens, false, lastPromptTokens);
  const generated: Token[] = [];
  const logprobs: TokenLogprob[] = [];
  let emitted = "";
  let finishReason: SampleResult["finishReason"] = "stop";
  let stop: ReturnType<StopDetector["find"]>;

  const { sampling } = o;
  const penalize = (sampling.presencePenalty ?? 0) !== 0 || (sampling.frequencyPenalty ?? 0) !== 0;
  const iterator = sequence.evaluateWithMetadata(
    [prompt.at(-1)!],
    { confidence: o.logprobs !== undefined, probabilities: (o.logprobs?.top ?? 0) > 0 },
    {
      temperature: sampling.temperature,
      topP: sampling.topP,
      topK: sampling.topK,
      minP: sampling.minP,
      seed: sampling.seed,
      grammarEvaluationState: o.grammar
        ? new (loadedNodeLlamaCpp().LlamaGrammarEvaluationState)({ model, grammar: o.grammar })
        : undefined,
      repeatPenalty: penalize
        ? {
            punishTokens: () => generated,
            penalty: 1,
            presencePenalty: sampling.presencePenalty,
            frequencyPenalty: sampling.frequencyPenalty,
          }
        : undefined,
    },
  );
  // Watches a leading <think> block: to force its end at the cap, and to count its tokens.
  let watching = true;
  let thinkingTokens: number | undefined;
  let replacement: Token[] | undefined;
  try {
    for (let step = await iterator.next(); maxTokens > 0 && !step.done; step = await iterator.next(replacement)) {
      replacement = undefined;
      const out = step.value;
      if (signal.aborted) throw new AbortedError();
      if (o.logprobs) logprobs.push(tokenLogprob(model, out, generated, o.logprobs.top));
      generated.push(out.token);
      let text = detokenize(generated);
      if (watching) {
        const state = thinkingState(o.thinkingOpen ? `<think>${text}` : text, generated.length, o.thinkingCap);
        if (state !== "open") watching = false;
        if (state === "closed") thinkingTokens = generated.length;
        const close = state === "force" ? model.tokenize(THINK_END, false) : [];
        // Closing must fit the completion's cap (the budget held for it); else the sample runs to its length.
        if (close.length > 0 && generated.length + close.length < maxTokens) {
          // The sampled token is evaluated, then the closing tag, which the model did not choose.
          replacement = [out.token, ...close];
          generated.push(...close);
          if (o.logprobs) for (const t of close) logprobs.push(forcedLogprob(model, t));
          text = detokenize(generated);
          thinkingTokens = generated.length;
        } else if (state === "force") watching = true;
      }
      stop = detector.find(text, generated);
      if (stop) break;
      if (generated.length >= maxTokens) {
        finishReason = "length";
        break;
      }
      const safe = text.slice(0, text.length - detector.holdBack(text));
      if (safe.length > emitted.length && safe.startsWith(emitted)) {
        yield safe.slice(emitted.length);
        emitted = safe;
      }
    }
  } finally {
    await iterator.return(undefined as never);
  }
  if (signal.aborted) throw new AbortedError();

  let contentTokens = generated.length;
  let content: string;
  if (stop?.tokenEnd !== undefined) {
    contentTokens = stop.tokenEnd;
    content = detokenize(generated.slice(0, contentTokens));
  } else {
    content = detokenize(generated);
    if (stop?.textEnd !== undefined) {
      content = content.slice(0, stop.textEnd);
      contentTokens = tokensCovering(generated, content.length, detokenize);
    }
  }
  if (o.grammar?.trimWhitespaceSuffix) content = content.trimEnd();
  if (content.length > emitted.length && content.startsWith(emitted)) yield content.slice(emitted.length);

  const startsThinking = o.thinkingOpen === true || content.trimStart().startsWith("<think>");
  return {
    content,
    finishReason,
    promptTokens: prompt.length,
    cachedTokens,
    completionTokens: generated.length,
    // A block still open at the end (cut by max_tokens) is all reasoning.
    reasoningTokens: Math.min(thinkingTokens ?? (watching && startsThinking ? contentTokens : 0), contentTokens),
    logprobs: o.logprobs ? logprobs.slice(0, contentTokens) : undefined,
  };
}

/**
 * Puts all prompt tokens but the last into the sequence; the last is evaluated with sampling. The
 * previous evaluation is kept only when its head was exactly this one: evaluating a prefix in a
 * different batch can change logits in the last bits, and seeded samples must reproduce exactly.
 */
async function loadPrompt(sequence: LlamaContextSequence, prompt: Token[]): Promise<number> {
  const head = prompt.slice(0, -1);
  const previous = evaluatedHeads.get(sequence);
  const context = sequence.contextTokens;
  const reuse =
    previous !== undefined &&
    sameTokens(previous, head) &&
    context.length >= head.length &&
    sameTokens(context.slice(0, head.length), head);
  if (reuse) {
    if (sequence.nextTokenIndex > head.length)
      await sequence.eraseContextTokenRanges([{ start: head.length, end: sequence.nextTokenIndex }]);
    return head.length;
  }
  evaluatedHeads.delete(sequence);
  await sequence.clearHistory();
  if (head.length > 0) await sequence.evaluateWithoutGeneratingNewTokens(head);
  evaluatedHeads.set(sequence, head);
  return 0;
}

const THINK_END = "\n</think>\n\n";

/**
 * Where a sample's `<think>` block stands: "open" (still thinking, under the cap), "force" (at the
 * cap: close it now), "closed" (the model closed it), "none" (the sample does not start with one).
 */
function thinkingState(text: string, tokens: number, cap = Infinity): "open" | "force" | "closed" | "none" {
  const lead = text.trimStart();
  if (lead.length < "<think>".length) return "<think>".startsWith(lead) ? "open" : "none";
  if (!lead.startsWith("<think>")) return "none";
  if (lead.includes("</think>")) return "closed";
  return tokens >= cap ? "force" : "open";
}

/** A token lmx put in, not the model: certain. */
function forcedLogprob(model: LlamaModel, token: Token): TokenLogprob {
  const text = model.detokenize([token], false);
  return { token: text, logprob: 0, bytes: [...Buffer.from(text, "utf8")] };
}

function sameTokens(a: readonly Token[], b: readonly Token[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** Stops from the chat template, the user's `stop` strings and the grammar (JSON grammars end on blank lines). */
function stopDetector(model: LlamaModel, o: GenerateSampleOptions): StopDetector {
  const texts: string[] = [...(o.stop ?? [])];
  const tokenSequences: Token[][] = [];
  const triggers = [...o.prompt.stopTriggers, ...(o.grammar?.stopGenerationTriggers ?? [])];
  for (const trigger of triggers) {
    if (typeof trigger === "string") texts.push(trigger);
    else if (!(trigger instanceof loadedNodeLlamaCpp().LlamaText))
      tokenSequences.push(trigger.map((t) => (typeof t === "string" ? model.tokenize(t, false) : [t])).flat());
    else if (trigger.values.every((v) => typeof v === "string")) texts.push(trigger.values.join(""));
    else {
      const tokens = trigger.tokenize(model.tokenizer);
      // A marker the vocabulary has as a special token is matched as that token; otherwise it is just text.
      if (tokens.some((t) => model.isSpecialToken(t))) tokenSequences.push(tokens);
      else texts.push(model.detokenize(tokens, false));
    }
  }
  return new StopDetector({ texts, tokenSequences, holdWhitespace: o.grammar?.trimWhitespaceSuffix ?? false });
}

/** The fewest leading tokens whose text reaches `chars` characters. */
function tokensCovering(tokens: Token[], chars: number, detokenize: (t: readonly Token[]) => string): number {
  for (let k = 0; k < tokens.length; k++) if (detokenize(tokens.slice(0, k)).length >= chars) return k;
  return tokens.length;
}

function tokenLogprob(
  model: LlamaModel,
  out: { token: Token; confidence?: number; probabilities?: Map<Token, number> },
  before: readonly Token[],
  top: number,
): TokenLogprob {
  const text = (t: Token) => model.detokenize([t], false, before.slice(-4));
  const entry = (t: Token, p: number) => {
    const token = text(t);
    return {
      token,
      logprob: Math.log(Math.max(p, Number.MIN_VALUE)),
      bytes: token.includes("\uFFFD") ? null : [...Buffer.from(token, "utf8")],
    };
  };
  const result: TokenLogprob = entry(out.token, out.confidence ?? out.probabilities?.get(out.token) ?? 1);
  if (top > 0 && out.probabilities)
    result.top_logprobs = [...out.probabilities].slice(0, top).map(([t, p]) => entry(t, p));
  return result;
}
