/** `lmx/store`: the SQLite stores (document index, memory, traces, response cache) and embedders. */
export { DocumentIndex } from "./document-index/document-index.ts";
export { MemoryStore } from "./memory/memory-store.ts";
export { openTraceStore, defaultTraceStorePath } from "./trace-store/sqlite-trace-store.ts";
export { SqliteCache, defaultCachePath } from "../cache/sqlite-cache.ts";
export type { Embedder } from "../embeddings/embedder.ts";
export { openaiEmbedder } from "../embeddings/openai-embedder.ts";
export { llamaEmbedder } from "../embeddings/llama-embedder.ts";
export { openStores, isPostgresUrl, type Stores, type StoreLocations } from "./open-stores.ts";
export { storeUrl } from "./store-url.ts";
export type { PersistentTraceStore } from "./trace-store/persistent-trace-store.ts";
export type { CacheStore, ResponseCache } from "../cache/response-cache.ts";
