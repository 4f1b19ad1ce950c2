import OpenAI from "openai";
import { z } from "zod";
import { configSchema } from "../../config/config-schema.ts";
import type { LoadedConfig } from "../../config/load-config.ts";
import { contentText } from "../../core/messages.ts";
import type { Choice } from "../../core/types.ts";
import { createModelResolver } from "../../providers/resolve-model.ts";
import { defineTechnique, type TechniqueFactory } from "../../techniques/define-technique.ts";
import { allTechniques } from "../../techniques/all.ts";
import { clientValue } from "../../techniques/spec/option-trust.ts";
import {
  startAnthropicTestServer,
  type AnthropicReply,
  type AnthropicTestServer,
} from "../../testing/anthropic-test-server.ts";
import { createRegistry } from "../../techniques/registry.ts";
import {
  startOpenAITestServer,
  type OpenAIReply,
  type OpenAITestBehaviour,
  type OpenAITestServer,
} from "../../testing/openai-test-server.ts";
import type { KeyLedger } from "../../shared-state/key-ledger.ts";
import type { ServerConfigInput } from "../server-config.ts";
import { startServer, type RunningServer } from "../start-server.ts";
import type { TraceStore } from "../trace-store.ts";

/** The upstream key every proxy test configures; it must never reach a client. */
export const UPSTREAM_KEY = "sk-test-SECRET";

/**
 * A small real technique for proxy tests: `n` separate samples (one upstream call each, reported as
 * progress), then the most common answer.
 */
export const majorityVote: TechniqueFactory = defineTechnique({
  name: "majority-vote",
  family: "sample-many",
  paper: "test fixture",
  description: "n independent samples, the most common answer wins",
  options: z.strictObject({ n: clientValue(z.number().int().min(1).max(64).default(3)) }),
  async run(run, { n }) {
    const single = { ...run.request, n: 1 };
    const samples: Choice[] = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const r = await run.inner.complete(single, { ...run.ctx, sampleOffset: (run.ctx.sampleOffset ?? 0) + i });
        run.progress({ sample: i, of: n });
        return r.choices[0]!;
      }),
    );
    const counts = new Map<string, number>();
    for (const s of samples)
      counts.set(contentText(s.message.content), (counts.get(contentText(s.message.content)) ?? 0) + 1);
    const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    return samples.find((s) => contentText(s.message.content) === best)!;
  },
});

export interface ProxyFixture {
  upstream: OpenAITestServer;
  proxy: RunningServer;
  /** The official SDK pointed at the proxy (no retries, so statuses show as they are). */
  client: OpenAI;
  config: LoadedConfig;
  /** The Anthropic test server behind `anthropic:` models, when asked for (`anthropic` option). */
  anthropic?: AnthropicTestServer;
  close(): Promise<void>;
}

/**
 * `lmx serve`'s app on 127.0.0.1:0 in front of a real OpenAI-compatible test server (with the upstream
 * key `sk-test-SECRET`), and the official `openai` client pointed at it.
 */
export async function startProxyFixture(
  options: {
    reply?: OpenAIReply;
    behaviour?: OpenAITestBehaviour;
    server?: ServerConfigInput;
    aliases?: Record<string, string>;
    /** Key the client sends (default: none). */
    clientKey?: string;
    upstreamTimeoutMs?: number;
    /** More of lmx.config.json (grants, mcp servers...). */
    config?: Record<string, unknown>;
    env?: NodeJS.ProcessEnv;
    /** Where the server logs unexpected errors. */
    log?: (line: string) => void;
    /** Also serve `anthropic:` models from a real Anthropic test server answering this way. */
    anthropic?: { reply?: AnthropicReply };
    /** Where finished traces go (default: in memory). */
    traces?: TraceStore;
    /** The per-key budget ledger (default: a fresh one in memory). */
    ledger?: KeyLedger;
  } = {},
): Promise<ProxyFixture> {
  const upstream = await startOpenAITestServer({ reply: options.reply, behaviour: options.behaviour });
  const anthropic = options.anthropic ? await startAnthropicTestServer(options.anthropic) : undefined;
  const config: LoadedConfig = {
    ...configSchema.parse({
      providers: {
        openai: {
          baseURL: upstream.url,
          apiKey: UPSTREAM_KEY,
          retries: 0,
          timeoutMs: options.upstreamTimeoutMs ?? 10_000,
        },
        ...(anthropic ? { anthropic: { baseURL: anthropic.url, apiKey: UPSTREAM_KEY, retries: 0 } } : {}),
      },
      aliases: options.aliases ?? {},
      // Priced so that costs show (USD per million tokens).
      prices: { "openai:test-model": { input: 1000, output: 2000, cached_input: 500 } },
      ...options.config,
    }),
    env: options.env ?? {},
  };
  const resolveModel = createModelResolver({ config });
  const registry = createRegistry([
    ...allTechniques.filter((t) => t.definition.name !== majorityVote.definition.name),
    majorityVote,
  ]);
  const proxy = await startServer({
    config,
    resolveModel,
    registry,
    defaultModel: "openai:test-model",
    server: options.server,
    port: 0,
    log: options.log,
    traces: options.traces,
    ledger: options.ledger,
  });
  const client = new OpenAI({ baseURL: proxy.url, apiKey: options.clientKey ?? "no-key", maxRetries: 0 });
  return {
    upstream,
    proxy,
    client,
    config,
    anthropic,
    async close() {
      await proxy.close();
      await resolveModel.close();
      await upstream.close();
      await anthropic?.close();
    },
  };
}
