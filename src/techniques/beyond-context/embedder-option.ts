import { z } from "zod";
import type { Embedder } from "../../embeddings/embedder.ts";
import type { RunHost } from "../../core/run-host.ts";

/**
 * A technique option naming the embedder of a store: "auto" (default: the one the store was built
 * with, if any), "none" (BM25 only), an embedder spec (`openai:<model>`, `llama:<file>`), or, from
 * code, an Embedder.
 */
export function embedderOption() {
  return z
    .union([
      z.string().min(1),
      z.custom<Embedder>(
        (v) => typeof v === "object" && v !== null && typeof (v as Embedder).embed === "function",
        "must be an embedder spec or an Embedder",
      ),
    ])
    .default("auto");
}

/** Embedders made from specs, per host and technique instance (keyed by its options), so models load once. */
const made = new WeakMap<RunHost, WeakMap<object, Map<string, Promise<Embedder>>>>();

/**
 * The embedder to open a store with, given the option's value and the spec the store was built
 * with (`builtWith`); undefined for BM25 only.
 */
export function resolveEmbedder(options: {
  value: string | Embedder;
  builtWith?: string;
  owner: object;
  /** Makes embedders from specs (the runtime's settings). */
  host: RunHost;
}): Promise<Embedder | undefined> {
  const { value, builtWith, owner, host } = options;
  if (typeof value !== "string") return Promise.resolve(value);
  const spec = value === "auto" ? builtWith : value === "none" ? undefined : value;
  if (!spec) return Promise.resolve(undefined);
  let owners = made.get(host);
  if (!owners) made.set(host, (owners = new WeakMap()));
  let specs = owners.get(owner);
  if (!specs) owners.set(owner, (specs = new Map()));
  let embedder = specs.get(spec);
  if (!embedder) {
    embedder = host.embedder(spec);
    specs.set(spec, embedder);
    embedder.catch(() => specs.delete(spec));
  }
  return embedder;
}
