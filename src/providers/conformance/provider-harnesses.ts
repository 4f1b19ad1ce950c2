import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { configSchema } from "../../config/config-schema.ts";
import type { ChatRequest, TokenLogprob } from "../../core/types.ts";
import { startAnthropicTestServer } from "../../testing/anthropic-test-server.ts";
import { startOpenAITestServer, type ReportedUsage } from "../../testing/openai-test-server.ts";
import type { TestServerFaults } from "../../testing/test-server-kit.ts";
import { anthropicProvider } from "../anthropic/anthropic-provider.ts";
import type { apiProviderSettings } from "../api-provider-settings.ts";
import { llamaProvider } from "../llama/llama-provider.ts";
import { openaiProvider } from "../openai/openai-provider.ts";
import type { ProviderDefinition } from "../provider-definition.ts";
import { Limiter } from "../resilience/limiter.ts";
import { createModelResolver } from "../resolve-model.ts";
import { scriptedLM } from "../scripted/scripted-lm.ts";
import type { HarnessLMOptions, HarnessReply, HarnessRun, ProviderHarness } from "./provider-harness.ts";

// Priced, so that every check sees real costs (USD per million tokens).
const PRICE = { input: 100, output: 300 };
const defaultReply = (): HarnessReply => ({ content: "The answer is 4." });

/** A test server speaking one provider's wire, answering with the harness's replies. */
interface HarnessServer {
  url: string;
  behaviour: TestServerFaults;
  requests: unknown[];
  reported: ReportedUsage[];
  close(): Promise<void>;
}
type StartHarnessServer = (reply: (request: ChatRequest) => HarnessReply) => Promise<HarnessServer>;

const startOpenAIServer: StartHarnessServer = (reply) =>
  startOpenAITestServer({
    reply: (request) => {
      const r = reply(request);
      return r.tool ? { tool_calls: [r.tool] } : { content: r.content ?? "" };
    },
  });

const startAnthropicServer: StartHarnessServer = (reply) =>
  startAnthropicTestServer({
    reply: (request) => {
      const r = reply(request);
      return r.tool ? { tool_use: [{ name: r.tool.name, input: r.tool.arguments }] } : { content: r.content ?? "" };
    },
  });

/** A built-in API provider, made by its folder's definition, against the test server speaking its wire. */
function apiHarness(
  provider: ProviderDefinition<string, typeof apiProviderSettings>,
  startServer: StartHarnessServer,
): ProviderHarness {
  return {
    name: provider.name,
    capabilities: provider.capabilities,
    scriptable: true,
    async start() {
      let run: HarnessRun;
      const server = await startServer((request) => run!.reply(request));
      const prices = { [`${provider.name}:test-model`]: PRICE };
      return (run = {
        reply: defaultReply,
        prices,
        behaviour: server.behaviour,
        requests: () => server.requests.length,
        reported: () => server.reported,
        close: () => server.close(),
        make: (o: HarnessLMOptions = {}) =>
          provider.create({
            model: "test-model",
            name: provider.name,
            settings: { baseURL: server.url, apiKey: "sk-test", timeoutMs: o.timeoutMs, retries: o.retries },
            env: {},
            shared: { limiter: new Limiter(8), prices },
          }),
      });
    },
  };
}

/** The built-in `openai` provider against the OpenAI test server. */
export const openaiHarness = apiHarness(openaiProvider, startOpenAIServer);

/** The built-in `anthropic` provider against the Anthropic test server. */
export const anthropicHarness = apiHarness(anthropicProvider, startAnthropicServer);

/** A named endpoint (config only) of type "openai", through the model resolver, priced by the endpoint. */
export const endpointHarness: ProviderHarness = {
  name: "endpoint (openai type)",
  capabilities: { ...openaiProvider.capabilities, nativeN: false },
  scriptable: true,
  async start() {
    let run: HarnessRun;
    const server = await startOpenAIServer((request) => run!.reply(request));
    const resolvers: { close(): Promise<void> }[] = [];
    return (run = {
      reply: defaultReply,
      prices: { "local:test-model": PRICE },
      behaviour: server.behaviour,
      requests: () => server.requests.length,
      reported: () => server.reported,
      async close() {
        for (const r of resolvers) await r.close();
        await server.close();
      },
      async make(o: HarnessLMOptions = {}) {
        const endpoint = {
          type: "openai",
          baseURL: server.url,
          prices: { "test-*": PRICE },
          capabilities: { nativeN: false },
          timeoutMs: o.timeoutMs,
          retries: o.retries,
        };
        const config = { ...configSchema.parse({ endpoints: { local: endpoint } }), env: {} };
        const resolve = createModelResolver({ config });
        resolvers.push(resolve);
        return resolve("local:test-model");
      },
    });
  },
};

/** The scripted model: the accounting path with no wire at all. */
export const scriptedHarness: ProviderHarness = {
  name: "scripted",
  capabilities: { nativeN: true, logprobs: true, tools: true, streaming: true, constrainedOutput: false },
  scriptable: true,
  async start() {
    let run: HarnessRun;
    const prices = { "scripted:*": PRICE };
    return (run = {
      reply: defaultReply,
      prices,
      close: async () => {},
      make: async (o: HarnessLMOptions = {}) =>
        scriptedLM((request: ChatRequest) => scripted(run!.reply(request), request), {
          prices,
          timeoutMs: o.timeoutMs,
          retry: o.retries === undefined ? undefined : { retries: o.retries },
        }),
    });
  },
};

function scripted(r: HarnessReply, request: ChatRequest) {
  if (r.tool)
    return {
      content: null,
      tool_calls: [
        {
          id: "call_0",
          type: "function" as const,
          function: { name: r.tool.name, arguments: JSON.stringify(r.tool.arguments) },
        },
      ],
      finish_reason: "tool_calls" as const,
    };
  const content = r.content ?? "";
  const logprobs: TokenLogprob[] | undefined = request.logprobs
    ? content.split(/\s+/).map((token) => ({ token, logprob: -0.5, bytes: null, top_logprobs: [] }))
    : undefined;
  return { content, logprobs };
}

/**
 * Embedded llama.cpp over the tiny GGUF (it writes noise, so nothing scripted): the checks that
 * apply to a local model without a wire (usage, n split, stream equals complete, logprobs).
 */
export const llamaHarness: ProviderHarness = {
  name: "llama",
  capabilities: llamaProvider.capabilities,
  scriptable: false,
  async start() {
    const { writeTinyGguf } = await import("../llama/testing/write-tiny-gguf.ts");
    const dir = await mkdtemp(path.join(os.tmpdir(), "lmx-llama-conformance-"));
    const model = await writeTinyGguf({ path: path.join(dir, "tiny.gguf"), seed: 7 });
    const prices = { "llama:*": { input: 0, output: 0 } };
    const made: { close?: () => Promise<void> }[] = [];
    return {
      reply: defaultReply,
      prices,
      async make(o = {}) {
        const lm = await llamaProvider.create({
          model,
          name: "llama",
          settings: { threads: 1, contextSize: 512, timeoutMs: o.timeoutMs },
          env: {},
          shared: { limiter: new Limiter(1), prices },
        });
        made.push(lm as { close?: () => Promise<void> });
        return lm;
      },
      async close() {
        for (const lm of made) await lm.close?.();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};
