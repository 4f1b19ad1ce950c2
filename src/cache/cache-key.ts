import { createHash } from "node:crypto";
import type { ChatRequest } from "../core/types.ts";

/** Fields that do not change what one sample is (n is replaced by the sample index). */
const IGNORED = new Set(["n", "stream", "stream_options", "user", "metadata", "store", "lmx"]);

/** JSON with sorted keys and no undefined values, so equal requests give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** The cache key of sample `sampleIndex` of `request` on `modelId` (`provider:model`). */
export function cacheKey(modelId: string, request: ChatRequest, sampleIndex: number): string {
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) if (!IGNORED.has(k)) kept[k] = v;
  return createHash("sha256")
    .update(canonicalJson({ model: modelId, request: kept, sample: sampleIndex }))
    .digest("hex");
}
