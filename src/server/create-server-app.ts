import { Hono, type Context } from "hono";
import { dirname } from "node:path";
import type { OptionGrants } from "../techniques/spec/client-option-policy.ts";
import { resolveMcpServer } from "../tools/open-tools.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import type { LM } from "../core/types.ts";
import { defaultRegistry, type TechniqueRegistry } from "../techniques/registry.ts";
import { parseTechniqueSpec } from "../techniques/spec/index.ts";
import { accessChecker, type Caller } from "./access.ts";
import { crossSiteGuard } from "./cross-site-guard.ts";
import { chatCompletionsHandler } from "./chat-completions.ts";
import { ConcurrencyGate } from "./concurrency-gate.ts";
import { errorDetail, errorResponse } from "./error-response.ts";
import { HttpError } from "./http-error.ts";
import { modelsList } from "./models-list.ts";
import { requestLMResolver } from "./request-lm.ts";
import { configSecrets, scrubSecrets } from "./scrub-secrets.ts";
import { serverConfigFrom, type ServerConfig, type ServerConfigInput } from "./server-config.ts";
import { tenantTraces } from "./tenant-traces.ts";
import { keyAllowance } from "./key-budget.ts";
import type { KeyLedger } from "../shared-state/key-ledger.ts";
import { memoryKeyLedger } from "../shared-state/memory-key-ledger.ts";
import { memoryTraceStore, type TraceStore } from "./trace-store.ts";
import { traceViewerPage } from "../web/trace-viewer.ts";

export interface ServerAppOptions {
  /** Aliases, the `server` section, provider keys (to keep them out of answers). */
  config: LoadedConfig;
  /** Model spec → base LM (e.g. `openRuntime().resolveModel`). */
  resolveModel: (spec: string) => LM;
  registry?: TechniqueRegistry;
  /** The model a request runs on when it names none (or names only techniques). */
  defaultModel?: string;
  /** Settings over the config's `server` section. */
  server?: ServerConfigInput;
  traces?: TraceStore;
  /** Per-key budgets (`server.keyBudget`); shared with other instances when on Redis. Default: this process's own. */
  ledger?: KeyLedger;
  /** Where unexpected errors are reported (already scrubbed of keys). */
  log?: (line: string) => void;
}

export interface ServerApp {
  app: Hono;
  traces: TraceStore;
  settings: ServerConfig;
  gate: ConcurrencyGate;
}

/**
 * The OpenAI-compatible proxy as a Hono app: `POST /v1/chat/completions` serving any technique over
 * any model, `GET /v1/models`, `GET /v1/traces[/:id]` and `GET /health`. Errors answer in the OpenAI
 * shape; keys are checked (or, without keys, only local clients served).
 */
export function createServerApp(options: ServerAppOptions): ServerApp {
  const { config } = options;
  const settings = serverConfigFrom({ config, overrides: options.server });
  const registry = options.registry ?? defaultRegistry();
  const traces = options.traces ?? memoryTraceStore({ capacity: settings.traceCapacity });
  const gate = new ConcurrencyGate(settings.maxConcurrent);
  const secrets = [...configSecrets(config), ...(settings.keys ?? [])];
  const checkAccess = accessChecker({ keys: settings.keys, operatorKeys: settings.operatorKeys });
  const visibleTraces = tenantTraces(traces, { scan: Math.max(settings.traceCapacity, 1000) });
  const callers = new WeakMap<Request, Caller>();
  const callerOf = (c: Context): Caller => callers.get(c.req.raw) ?? { operator: false };
  const resolveLM = requestLMResolver({
    registry,
    resolveModel: options.resolveModel,
    aliases: config.aliases,
    defaultModel: options.defaultModel,
    maxSpecDepth: settings.maxSpecDepth,
    maxN: settings.maxN,
    allowProviders: settings.allowProviders,
    grants: grantsOf(config),
  });
  const app = new Hono();

  app.onError((error, c) => {
    const r = errorResponse(error, { secrets });
    // A chat request's failure was logged with its trace when the run ended.
    if (r.internal && !c.res.headers.get("x-lmx-trace-id"))
      options.log?.(scrubSecrets(`lmx serve: ${c.req.method} ${c.req.path}: ${errorDetail(error)}`, secrets));
    return c.json(r.body, r.status as 400, r.headers);
  });
  app.notFound((c) => {
    throw new HttpError({
      status: 404,
      type: "invalid_request_error",
      code: "unknown_url",
      message: `unknown route ${c.req.method} ${c.req.path}`,
    });
  });

  // Browsers send any page's requests here: only listed origins (or this server's own loopback page) pass.
  app.use(
    "*",
    crossSiteGuard({
      origins: settings.corsOrigins,
      jsonRoutes: ["/v1/chat/completions"],
      loopbackHostOnly: !settings.keys?.length,
    }),
  );
  app.get("/health", (c) => c.json({ status: "ok" }));
  // The trace viewer is a static page; the /v1/traces calls it makes are access-checked like any other.
  app.get("/ui", (c) => c.html(traceViewerPage()));
  app.use("/v1/*", async (c, next) => {
    callers.set(
      c.req.raw,
      checkAccess({ authorization: c.req.header("authorization"), remoteAddress: remoteAddress(c) }),
    );
    await next();
  });
  app.post(
    "/v1/chat/completions",
    chatCompletionsHandler({
      settings,
      resolveLM,
      gate,
      traces,
      defaultModel: options.defaultModel,
      secrets,
      callerOf,
      log: options.log,
      allowance: keyAllowance({
        ledger: options.ledger ?? memoryKeyLedger(),
        budget: settings.keyBudget,
        // A hold outlives its request's deadline; past it, an instance that died is taken to have spent it all.
        ttlMs: settings.limits.requestMs + Math.min(60_000, settings.limits.requestMs),
      }),
    }),
  );
  // The operator's specs are shown only where a client could have sent them itself: one naming a local
  // file, a granted resource's path or a provider clients may not name stays the operator's.
  const clientMayName = (spec: string): boolean => {
    try {
      resolveLM({ model: spec });
      return true;
    } catch {
      return false;
    }
  };
  app.get("/v1/models", (c) =>
    c.json(
      modelsList({
        aliases: config.aliases,
        registry,
        defaultModel: options.defaultModel,
        configured: configuredModels(config),
        shown: clientMayName,
      }),
    ),
  );
  // Traces hold upstream error messages; scrub them like any other answer.
  const scrubbedJson = (c: Context, value: unknown) =>
    c.body(scrubSecrets(JSON.stringify(value), secrets), 200, { "content-type": "application/json" });
  app.get("/v1/traces", async (c) =>
    scrubbedJson(c, {
      object: "list",
      data: await visibleTraces.list(callerOf(c), { limit: listLimit(c.req.query("limit")) }),
    }),
  );
  app.get("/v1/traces/:id", async (c) => {
    // Another tenant's trace is answered exactly like a missing one, so ids cannot be probed.
    const trace = await visibleTraces.get(callerOf(c), c.req.param("id"));
    if (!trace)
      throw new HttpError({
        status: 404,
        type: "invalid_request_error",
        code: "trace_not_found",
        message: `no such trace (only the last ${settings.traceCapacity} are kept)`,
      });
    return scrubbedJson(c, trace);
  });
  for (const path of ["/health", "/v1/chat/completions", "/v1/models", "/v1/traces", "/v1/traces/:id"])
    app.all(path, (c) => {
      throw new HttpError({
        status: 405,
        type: "invalid_request_error",
        code: "method_not_allowed",
        message: `${c.req.method} is not allowed on ${c.req.path}`,
        headers: { allow: path === "/v1/chat/completions" ? "POST" : "GET" },
      });
    });
  return { app, traces, settings, gate };
}

/** `?limit=`: 1 to 200, default 50. */
function listLimit(raw: string | undefined): number {
  const n = Math.floor(Number(raw ?? 50));
  return Number.isFinite(n) && n >= 1 ? Math.min(n, 200) : 50;
}

function remoteAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/** What the operator lets clients name: the config's named indexes, memory stores, demo sets and MCP servers. */
function grantsOf(config: LoadedConfig): OptionGrants {
  const base = config.file ? dirname(config.file) : process.cwd();
  const servers = config.mcp?.servers ?? {};
  const mcpServers = Object.fromEntries(
    Object.entries(servers).map(([name, server]) => [name, resolveMcpServer(server, base)]),
  );
  return { indexes: config.indexes, memoryStores: config.memoryStores, demoSets: config.demoSets, mcpServers };
}

/** Models the configuration names: the default and the model parts of alias specs. */
function configuredModels(config: LoadedConfig): string[] {
  const out = config.defaultModel ? [config.defaultModel] : [];
  for (const spec of Object.values(config.aliases)) {
    try {
      const model = parseTechniqueSpec(spec).model;
      if (model && !Object.hasOwn(config.aliases, model)) out.push(model);
    } catch {
      // A broken alias is reported when it is used, not here.
    }
  }
  return out;
}
