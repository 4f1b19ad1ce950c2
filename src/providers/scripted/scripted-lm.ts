import { FREE } from "../../accounting/free.ts";
import type { Capabilities, ChatRequest, Choice, LM, TokenLogprob } from "../../core/types.ts";
import { estimatePromptTokens } from "../../accounting/estimate-tokens.ts";
import { sleep } from "../resilience/retry.ts";
import { defineProvider, type ProviderOptions } from "../define-provider.ts";
import type { DriverResult, DriverStreamEvent, ProviderDriver } from "../provider-driver.ts";

export interface ScriptedReply {
  content?: string | null;
  tool_calls?: Choice["message"]["tool_calls"];
  finish_reason?: Choice["finish_reason"];
  logprobs?: TokenLogprob[];
  /** Completion tokens to report (default: words in content). */
  completion_tokens?: number;
}

export interface ScriptInfo {
  /** Index of this sample (run's sample offset + position in `n`). */
  sampleIndex: number;
  /** How many calls this scripted LM has answered so far. */
  callIndex: number;
  seed?: number;
}

export type Script = (
  request: ChatRequest,
  info: ScriptInfo,
) => string | ScriptedReply | Promise<string | ScriptedReply>;

export interface ScriptedOptions extends ProviderOptions {
  /** Name after `scripted:` (default "test"). */
  name?: string;
  capabilities?: Partial<Capabilities>;
  /** Simulated latency per call. */
  latencyMs?: number;
}

/**
 * An LM that answers by a function of the request: for users' own tests and lmx's. It goes
 * through the same accounting path as a real provider, so budgets, traces and usage behave alike.
 */
export function scriptedLM(script: Script, options: ScriptedOptions = {}): LM & { calls: ChatRequest[] } {
  const calls: ChatRequest[] = [];
  let callIndex = 0;
  const capabilities: Capabilities = {
    nativeN: true,
    logprobs: true,
    tools: true,
    streaming: true,
    constrainedOutput: false,
    ...options.capabilities,
  };

  async function produce(
    request: ChatRequest,
    sampleIndex: number,
    seed: number | undefined,
    signal: AbortSignal,
  ): Promise<DriverResult> {
    calls.push(request);
    if (options.latencyMs) await sleep(options.latencyMs, signal);
    const choices: Choice[] = [];
    let completion = 0;
    for (let k = 0; k < (request.n ?? 1); k++) {
      const raw = await script(request, { sampleIndex: sampleIndex + k, callIndex: callIndex++, seed });
      const reply: ScriptedReply = typeof raw === "string" ? { content: raw } : raw;
      const content = reply.content ?? null;
      completion += reply.completion_tokens ?? countWords(content ?? "");
      choices.push({
        index: k,
        message: { role: "assistant", content, ...(reply.tool_calls ? { tool_calls: reply.tool_calls } : {}) },
        finish_reason: reply.finish_reason ?? (reply.tool_calls ? "tool_calls" : "stop"),
        logprobs: reply.logprobs ? { content: reply.logprobs } : null,
      });
    }
    return {
      choices,
      usage: { prompt_tokens: estimatePromptTokens(request), completion_tokens: completion },
      model: options.name ?? "test",
    };
  }

  const driver: ProviderDriver = {
    provider: "scripted",
    prices: FREE,
    model: options.name ?? "test",
    capabilities,
    complete: (request, o) => produce(request, o.sampleIndex, o.seed, o.signal),
    async *stream(request, o): AsyncIterable<DriverStreamEvent> {
      const result = await produce(request, o.sampleIndex, o.seed, o.signal);
      const text = result.choices[0]?.message.content ?? "";
      for (const piece of text.match(/\S+\s*|\s+/g) ?? []) yield { type: "delta", index: 0, content: piece };
      const calls = result.choices[0]?.message.tool_calls;
      if (calls) yield { type: "delta", index: 0, tool_calls: calls.map((t, index) => ({ index, ...t })) };
      yield { type: "done", result };
    },
  };
  return Object.assign(defineProvider(driver, { limiter: 64, ...options }), { calls });
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
