import { z } from "zod";
import { mcpConfigSchema } from "../tools/mcp/mcp-server-config.ts";
import { redisConfigSchema } from "../shared-state/shared-state-settings.ts";

const providerSettings = z.strictObject({
  baseURL: z.string().optional(),
  apiKey: z.string().optional(),
  /** Concurrent calls to this provider. */
  concurrency: z.number().int().min(1).optional(),
  timeoutMs: z.number().int().min(1).optional(),
  retries: z.number().int().min(0).optional(),
  /** One call across all attempts and retry waits (default 180 s). */
  totalTimeoutMs: z.number().int().min(1).optional(),
  /** Longest silence between chunks of a reply body (default 60 s). */
  idleTimeoutMs: z.number().int().min(1).optional(),
  /** Largest reply body, after decompression (default 32 MiB). */
  maxResponseBytes: z.number().int().min(1024).optional(),
});

const price = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cached_input: z.number().min(0).optional(),
});

export const configSchema = z.strictObject({
  /** Model spec used when none is given (`openai:gpt-4o-mini`, `llama:./m.gguf`, ...). */
  defaultModel: z.string().optional(),
  providers: z
    .strictObject({
      openai: providerSettings.optional(),
      anthropic: providerSettings.optional(),
      llama: z
        .strictObject({
          threads: z.number().int().min(1).optional(),
          contextSize: z.number().int().min(64).optional(),
          modelsDir: z.string().optional(),
          concurrency: z.number().int().min(1).optional(),
          timeoutMs: z.number().int().min(1).optional(),
        })
        .optional(),
    })
    .default({}),
  /** USD per million tokens, keyed `provider:model` (a trailing `*` matches a prefix). */
  prices: z.record(z.string(), price).default({}),
  cache: z.strictObject({ enabled: z.boolean().optional(), path: z.string().optional() }).default({}),
  /** Where the stores live: unset = SQLite files; `postgres://…` = one PostgreSQL database shared by every instance (docs/scale.md). */
  store: z.string().optional(),
  /** Named LM specs, e.g. `"smart-mini": "self-consistency(n=5)@openai:gpt-4o-mini"`. */
  aliases: z.record(z.string(), z.string()).default({}),
  budget: z
    .strictObject({
      tokens: z.number().min(0).optional(),
      calls: z.number().min(0).optional(),
      cost_usd: z.number().min(0).optional(),
      time_ms: z.number().min(0).optional(),
    })
    .optional(),
  /**
   * Redis that `lmx serve` instances share per-key budgets on: a URL or `{ url, failOpen, prefix }`
   * (`LMX_REDIS` overrides the URL). Unset: each process keeps its own.
   */
  redis: redisConfigSchema.optional(),
  /** Extra settings of other parts (server, eval) live under their own keys. */
  server: z.record(z.string(), z.unknown()).optional(),
  eval: z.record(z.string(), z.unknown()).optional(),
  /** The trace store's bounds on disk (defaults: 256 MiB, 30 days, 1000 traces, strings cut at 64 KiB). */
  traces: z
    .strictObject({
      maxBytes: z
        .number()
        .int()
        .min(1024 * 1024)
        .optional(),
      maxAgeDays: z.number().min(0).optional(),
      capacity: z.number().int().min(1).optional(),
      maxFieldBytes: z.number().int().min(256).optional(),
    })
    .optional(),
  /** The process-wide sandbox pool (defaults: one run per core, at least 2; 1 GiB reserved in all; 1000 queued). */
  sandbox: z
    .strictObject({
      maxConcurrent: z.number().int().min(1).optional(),
      maxMemoryMb: z.number().int().min(64).optional(),
      maxQueued: z.number().int().min(1).optional(),
    })
    .optional(),
  /** Trace export over OTLP/HTTP JSON (`OTEL_EXPORTER_OTLP_ENDPOINT` overrides `endpoint`). */
  otlp: z
    .strictObject({
      endpoint: z.string().optional(),
      headers: z.record(z.string(), z.string()).optional(),
      captureContent: z.boolean().optional(),
    })
    .optional(),
  /** `lmx index` and the `retrieve` technique: the index file and the embedder spec that builds it. */
  index: z.strictObject({ path: z.string().optional(), embedder: z.string().optional() }).optional(),
  /** MCP servers the `tools` technique can use as `mcp:<name>`: `{ servers: { name: { command, args, env } | { url } } }`. */
  mcp: mcpConfigSchema.optional(),
  /**
   * Grants to `lmx serve` clients, by name (paths relative to this file): a request may write
   * `retrieve(index=NAME)`, `tools(tools=["index:NAME"])`, `memory(store=NAME)`, `few-shot(demos=NAME)`,
   * never a path.
   */
  indexes: z.record(z.string().min(1), z.string().min(1)).optional(),
  memoryStores: z.record(z.string().min(1), z.string().min(1)).optional(),
  demoSets: z.record(z.string().min(1), z.string().min(1)).optional(),
  /** `lmx memory` and the `memory` technique: the lessons file and its embedder spec. */
  memory: z.strictObject({ path: z.string().optional(), embedder: z.string().optional() }).optional(),
  /** Settings of embedder specs (`openai:<model>` uses these, else providers.openai's; `llama:<file>` uses threads). */
  embeddings: z
    .strictObject({
      baseURL: z.string().optional(),
      apiKey: z.string().optional(),
      dimensions: z.number().int().min(1).optional(),
      batchSize: z.number().int().min(1).optional(),
      threads: z.number().int().min(1).optional(),
    })
    .optional(),
});

export type LmxConfig = z.output<typeof configSchema>;
