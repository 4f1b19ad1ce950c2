import { Hono, type Context } from "hono";
import { createLmxRuntime, type LmxRuntime } from "../runtime/create-lmx-runtime.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import type { LM } from "../core/types.ts";
import { defaultRegistry, type TechniqueRegistry } from "../techniques/registry.ts";
import { techniqueStack } from "../techniques/technique-tree.ts";
import { accessChecker, type Caller } from "./access.ts";
import { crossSiteGuard } from "./cross-site-guard.ts";
import { chatCompletionsHandler } from "./chat-completions.ts";
import { completionsHandler } from "./completions/completions-handler.ts";
import { ConcurrencyGate } from "./concurrency-gate.ts";
import { errorDetail, errorResponse } from "./error-response.ts";
import { HttpError } from "./http-error.ts";
import { modelsList } from "./models-list.ts";
import { requestLMResolver } from "./request-lm.ts";
import { responsesHandler } from "./responses/responses-handler.ts";
import { embeddingModels } from "./embeddings/embedding-models.ts";
import { embeddingsHandler } from "./embeddings/embeddings-handler.ts";
import { plainModelRoutes } from "./routes/plain-model-routes.ts";
import { configSecrets, scrubSecrets } from "./scrub-secrets.ts";
import { serverConfigFrom, type ServerConfig, type ServerConfigInput } from "./server-config.ts";
import { tenantTraces } from "./tenant-traces.ts";
import { anthropicErrorBody, isMessagesPath } from "./messages/messages-error.ts";
import { countTokensHandler } from "./messages/count-tokens-handler.ts";
import { messagesHandler } from "./messages/messages-handler.ts";
import { keyAllowance } from "./key-budget.ts";
import type { KeyLedger } from "../shared-state/key-ledger.ts";
import { memoryKeyLedger } from "../shared-state/memory-key-ledger.ts";
import { memoryTraceStore, type TraceStore } from "./trace-store.ts";
import { traceViewerPage } from "../web/trace-viewer.ts";

export interface ServerAppOptions {
  /**
   * The runtime serving requests: its aliases, default model, registry, grants, stores and tool
   * exchanges (`createLmxRuntime`). Without one, a runtime is made from `config` and `resolveModel`.
   */
  runtime?: LmxRuntime;
  /** Aliases, the `server` section, provider keys (to keep them out of answers); default: the runtime's. */
  config?: LoadedConfig;
  /** Model spec → base LM, when no runtime is given. */
  resolveModel?: (spec: string) => LM;
  registry?: TechniqueRegistry;
  /** The model a request runs on when it names none (or names only techniques); default: the runtime's. */
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
 * The OpenAI-compatible proxy as a Hono app: `POST /v1/chat/completions` (and the legacy
 * `POST /v1/completions`) serving any technique over any model, `GET /v1/models`,
 * `GET /v1/traces[/:id]` and `GET /health`. Errors answer in the OpenAI shape; keys are checked (or,
 * without keys, only local clients served).
 */
export function createServerApp(options: ServerAppOptions): ServerApp {
  const runtime = options.runtime ?? runtimeFrom(options);
  const config = runtime.config;
  const registry = runtime.registry;
  const defaultModel = options.defaultModel ?? runtime.defaultModel;
  const settings = serverConfigFrom({ config, overrides: options.server });
  const traces = options.traces ?? memoryTraceStore({ capacity: settings.traceCapacity });
  const gate = new ConcurrencyGate(settings.maxConcurrent);
  const secrets = [...configSecrets(config), ...(settings.keys ?? [])];
  const checkAccess = accessChecker({ keys: settings.keys, operatorKeys: settings.operatorKeys });
  const visibleTraces = tenantTraces(traces, { scan: Math.max(settings.traceCapacity, 1000) });
  const callers = new WeakMap<Request, Caller>();
  const callerOf = (c: Context): Caller => callers.get(c.req.raw) ?? { operator: false };
  const routes = plainModelRoutes({
    routes: settings.routes,
    aliases: runtime.aliases,
    defaultModel,
    defaultTechnique: settings.defaultTechnique,
    registry,
  });
  const resolveLM = requestLMResolver({
    route: routes.route,
    registry,
    resolveModel: runtime.resolveModel,
    aliases: runtime.aliases,
    defaultModel,
    host: runtime.host,
    maxSpecDepth: settings.maxSpecDepth,
    maxN: settings.maxN,
    allowProviders: settings.allowProviders,
    grants: runtime.grants,
  });
  const app = new Hono();

  app.onError((error, c) => {
    const r = errorResponse(error, { secrets });
    // A chat request's failure was logged with its trace when the run ended.
    if (r.internal && !c.res.headers.get("x-lmx-trace-id"))
      options.log?.(scrubSecrets(`lmx serve: ${c.req.method} ${c.req.path}: ${errorDetail(error)}`, secrets));
    // Anthropic clients read errors in Anthropic's shape; the statuses are the same.
    if (isMessagesPath(c.req.path)) return c.json(anthropicErrorBody(r), r.status as 400, r.headers);
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
  const postOnly = [
    "/v1/chat/completions",
    "/v1/completions",
    "/v1/responses",
    "/v1/embeddings",
    "/v1/messages",
    "/v1/messages/count_tokens",
  ];
  app.use(
    "*",
    crossSiteGuard({
      origins: settings.corsOrigins,
      jsonRoutes: postOnly,
      loopbackHostOnly: !settings.keys?.length,
    }),
  );
  app.get("/health", (c) => c.json({ status: "ok" }));
  // The trace viewer is a static page; the /v1/traces calls it makes are access-checked like any other.
  app.get("/ui", (c) => c.html(traceViewerPage()));
  app.use("/v1/*", async (c, next) => {
    callers.set(
      c.req.raw,
      checkAccess({
        authorization: c.req.header("authorization"),
        apiKey: c.req.header("x-api-key"),
        remoteAddress: remoteAddress(c),
      }),
    );
    await next();
  });
  // What every route that runs an LM shares (request-run.ts).
  const allowance = keyAllowance({
    ledger: options.ledger ?? memoryKeyLedger(),
    budget: settings.keyBudget,
    // A hold outlives its request's deadline; past it, an instance that died is taken to have spent it all.
    ttlMs: settings.limits.requestMs + Math.min(60_000, settings.limits.requestMs),
  });
  const runDeps = {
    allowance,
    settings,
    resolveLM,
    gate,
    traces,
    defaultModel,
    secrets,
    callerOf,
    log: options.log,
  };
  app.post("/v1/chat/completions", chatCompletionsHandler(runDeps));
  app.post("/v1/completions", completionsHandler(runDeps));
  app.post("/v1/messages", messagesHandler(runDeps));
  app.post("/v1/messages/count_tokens", countTokensHandler({ settings, resolveLM }));
  app.post("/v1/responses", responsesHandler({ ...runDeps, visibleTraces }));
  app.post(
    "/v1/embeddings",
    embeddingsHandler({
      ...runDeps,
      embedders: embeddingModels({ config, route: routes.route, allowProviders: settings.allowProviders }),
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
        aliases: runtime.aliases,
        registry,
        defaultModel,
        configured: configuredModels(runtime),
        routes: Object.fromEntries(routes.names().map((name) => [name, settings.routes[name]!])),
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
  for (const path of ["/health", ...postOnly, "/v1/models", "/v1/traces", "/v1/traces/:id"])
    app.all(path, (c) => {
      throw new HttpError({
        status: 405,
        type: "invalid_request_error",
        code: "method_not_allowed",
        message: `${c.req.method} is not allowed on ${c.req.path}`,
        headers: { allow: postOnly.includes(path) ? "POST" : "GET" },
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

/** The runtime of a server made from a config and a model resolver (tests, older callers). */
function runtimeFrom(options: ServerAppOptions): LmxRuntime {
  if (!options.config || !options.resolveModel)
    throw new TypeError("createServerApp needs a runtime, or a config and a resolveModel");
  return createLmxRuntime(options.config, {
    resolveModel: options.resolveModel,
    registry: options.registry ?? defaultRegistry(),
    defaultModel: options.defaultModel,
  });
}

/** Models the configuration names: the default and the models at the bottom of alias stacks. */
function configuredModels(runtime: LmxRuntime): string[] {
  const out = runtime.config.defaultModel ? [runtime.config.defaultModel] : [];
  for (const name of Object.keys(runtime.aliases)) {
    try {
      // Models load lazily: building the alias's LM makes no call.
      out.push(techniqueStack(runtime.lm(name)).model.id);
    } catch {
      // A broken alias is reported when it is used, not here.
    }
  }
  return out;
}
