import { stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { downloadFile } from "./download-file.ts";
import { stderrDownloadProgress, type DownloadProgress } from "./download-progress.ts";
import { hfFileUrl, isHfUri, parseHfUri } from "./hf-uri.ts";

export interface ResolveModelFileOptions {
  /** A local path, or `hf:owner/repo/file.gguf`. */
  model: string;
  /** Where `hf:` models are kept (default `LMX_MODELS_DIR`, else `~/.cache/lmx/models`). */
  cacheDir?: string;
  /** Hugging Face endpoint (default `LMX_HF_ENDPOINT`, `HF_ENDPOINT`, then huggingface.co). */
  hfEndpoint?: string;
  /** Where LMX_MODELS_DIR, XDG_CACHE_HOME, LMX_HF_ENDPOINT, HF_ENDPOINT and HF_TOKEN are read (llamaLM: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Progress of a first-use download (default: a progress bar or plain lines on stderr). */
  onDownloadProgress?: (progress: DownloadProgress) => void;
  /** Connect timeout of the download (default 5 s). */
  connectTimeoutMs?: number;
}

const downloads = new Map<string, Promise<string>>();

/** The default folder for downloaded models. */
export function defaultModelsDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.LMX_MODELS_DIR) return path.resolve(env.LMX_MODELS_DIR);
  const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(cache, "lmx", "models");
}

/**
 * The local file for a model: a path as given (resolved against the working directory), or the cached
 * copy of an `hf:` file, downloaded on first use. Concurrent calls share one download.
 */
export async function resolveModelFile(options: ResolveModelFileOptions): Promise<string> {
  if (!isHfUri(options.model)) return path.resolve(options.model);
  const ref = parseHfUri(options.model);
  const env = options.env ?? {};
  const dest = path.join(options.cacheDir ?? defaultModelsDir(env), ref.owner, ref.repo, ...ref.file.split("/"));
  if ((await stat(dest).catch(() => undefined))?.isFile()) return dest;
  let pending = downloads.get(dest);
  if (!pending) {
    const token = env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
    pending = downloadFile({
      url: hfFileUrl(ref, options.hfEndpoint, env),
      dest,
      label: options.model,
      headers: token ? { authorization: `Bearer ${token}` } : undefined,
      connectTimeoutMs: options.connectTimeoutMs,
      onProgress: options.onDownloadProgress ?? stderrDownloadProgress(),
    }).finally(() => downloads.delete(dest));
    downloads.set(dest, pending);
  }
  return pending;
}
