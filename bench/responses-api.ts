/**
 * The Responses API route against chat completions on the same `lmx serve`: a request for the same
 * plain model name both ways, interleaved in pairs (zero-latency local upstream), JSON and streamed.
 * The ratio (responses / chat completions, p50) is the cost of translating the request and its answer;
 * the pipeline behind both is the same.
 *
 *   node --import tsx bench/responses-api.ts
 */
import { pathToFileURL } from "node:url";
import OpenAI from "openai";
import { configSchema } from "../src/config/config-schema.ts";
import { createModelResolver } from "../src/providers/resolve-model.ts";
import { startServer } from "../src/server/start-server.ts";
import { defaultRegistry } from "../src/techniques/registry.ts";
import { startOpenAITestServer } from "../src/testing/openai-test-server.ts";

export interface ResponsesApiBenchResult {
  name: "responses-api";
  iterations: number;
  json: { chat_p50_ms: number; responses_p50_ms: number; ratio: number };
  stream: { chat_p50_ms: number; responses_p50_ms: number; ratio: number };
}

export async function run(
  options: { iterations?: number; warmup?: number; maxMs?: number; log?: (line: string) => void } = {},
): Promise<ResponsesApiBenchResult> {
  const { iterations = 500, warmup = 50, maxMs = 60_000, log = console.log } = options;
  const upstream = await startOpenAITestServer({ reply: () => "The answer is forty two, as computed." });
  const config = {
    ...configSchema.parse({ providers: { openai: { baseURL: upstream.url, apiKey: "bench", retries: 0 } } }),
    env: {},
  };
  const resolveModel = createModelResolver({ config });
  const proxy = await startServer({
    config,
    resolveModel,
    registry: defaultRegistry(),
    defaultModel: "openai:bench-model",
    port: 0,
    server: { traceCapacity: 100 },
  });
  const client = new OpenAI({ baseURL: proxy.url, apiKey: "bench", maxRetries: 0 });
  const input = "What is six times seven?";
  const chat = async () =>
    void (await client.chat.completions.create({ model: "bench-model", messages: [{ role: "user", content: input }] }));
  const responses = async () => void (await client.responses.create({ model: "bench-model", input }));
  const chatStream = async () => {
    const s = await client.chat.completions.create({
      model: "bench-model",
      messages: [{ role: "user", content: input }],
      stream: true,
    });
    for await (const _ of s);
  };
  const responsesStream = async () => {
    const s = await client.responses.create({ model: "bench-model", input, stream: true });
    for await (const _ of s);
  };
  try {
    const json = await paired(chat, responses, { iterations, warmup, maxMs });
    const stream = await paired(chatStream, responsesStream, { iterations, warmup, maxMs });
    const result: ResponsesApiBenchResult = {
      name: "responses-api",
      iterations: json.n,
      json: json.figures,
      stream: stream.figures,
    };
    log(
      `responses-api: JSON p50 ${json.figures.chat_p50_ms} ms (chat) vs ${json.figures.responses_p50_ms} ms (responses), ratio ${json.figures.ratio}; ` +
        `streamed ${stream.figures.chat_p50_ms} vs ${stream.figures.responses_p50_ms} ms, ratio ${stream.figures.ratio}`,
    );
    return result;
  } finally {
    await proxy.close();
    await resolveModel.close();
    await upstream.close();
  }
}

/** a and b in alternating order, `iterations` pairs (or until `maxMs`); p50 of each and their ratio. */
async function paired(
  a: () => Promise<void>,
  b: () => Promise<void>,
  o: { iterations: number; warmup: number; maxMs: number },
) {
  for (let i = 0; i < o.warmup; i++) await Promise.all([a(), b()]);
  const ta: number[] = [];
  const tb: number[] = [];
  const deadline = performance.now() + o.maxMs;
  for (let i = 0; i < o.iterations && performance.now() < deadline; i++) {
    const order: [() => Promise<void>, number[]][] =
      i % 2
        ? [
            [b, tb],
            [a, ta],
          ]
        : [
            [a, ta],
            [b, tb],
          ];
    for (const [f, into] of order) {
      const t0 = performance.now();
      await f();
      into.push(performance.now() - t0);
    }
  }
  const p50 = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: ta.length,
    figures: { chat_p50_ms: round(p50(ta)), responses_p50_ms: round(p50(tb)), ratio: round(p50(tb) / p50(ta)) },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await run();
