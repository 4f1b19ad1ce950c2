export { createServerApp, type ServerApp, type ServerAppOptions } from "./create-server-app.ts";
export { startServer, type RunningServer, type StartServerOptions } from "./start-server.ts";
export { memoryTraceStore, type StoredTrace, type TraceStore, type TraceSummary } from "./trace-store.ts";
export { serverConfigSchema, type ServerConfig, type ServerConfigInput } from "./server-config.ts";
export { scrubSecrets } from "./scrub-secrets.ts";
