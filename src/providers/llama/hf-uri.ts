import { ConfigurationError } from "../../core/errors/configuration-error.ts";

/** A file in a Hugging Face model repository. */
export interface HfFileRef {
  owner: string;
  repo: string;
  /** Path inside the repository, e.g. `qwen2.5-0.5b-instruct-q4_k_m.gguf` or `q4/model.gguf`. */
  file: string;
}

export const DEFAULT_HF_ENDPOINT = "https://huggingface.co";

/** True for `hf:` model URIs. */
export function isHfUri(model: string): boolean {
  return model.startsWith("hf:");
}

/** Parses `hf:owner/repo/file.gguf` (the file may sit in sub-folders: `hf:owner/repo/sub/file.gguf`). */
export function parseHfUri(uri: string): HfFileRef {
  const parts = uri.slice("hf:".length).split("/");
  if (!isHfUri(uri) || parts.length < 3 || parts.some((p) => p === "" || p === "." || p === ".."))
    throw new ConfigurationError(`not a Hugging Face model URI: ${uri} (expected hf:owner/repo/file.gguf)`);
  const [owner, repo, ...file] = parts;
  return { owner: owner!, repo: repo!, file: file.join("/") };
}

/**
 * The download URL of a Hugging Face file on the main branch. The endpoint is, in order: the option,
 * `LMX_HF_ENDPOINT`, `HF_ENDPOINT` of `env` (mirrors), then huggingface.co.
 */
export function hfFileUrl(
  ref: HfFileRef,
  endpoint?: string,
  env: Readonly<Record<string, string | undefined>> = {},
): string {
  const base = (endpoint ?? env.LMX_HF_ENDPOINT ?? env.HF_ENDPOINT ?? DEFAULT_HF_ENDPOINT).replace(/\/+$/, "");
  const file = ref.file.split("/").map(encodeURIComponent).join("/");
  return `${base}/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.repo)}/resolve/main/${file}`;
}
