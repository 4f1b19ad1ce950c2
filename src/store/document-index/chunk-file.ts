import { extname } from "node:path";
import { defaultChunkSize, type Chunk, type ChunkSize } from "./chunk.ts";
import { chunkJson, chunkJsonl } from "./chunk-json.ts";
import { chunkMarkdown } from "./chunk-markdown.ts";
import { chunkSource } from "./chunk-source.ts";
import { chunkText } from "./chunk-text.ts";

export type DocumentKind = "markdown" | "json" | "jsonl" | "source" | "text";

const SOURCE_EXTENSIONS = new Set(
  (
    ".ts .tsx .mts .cts .js .jsx .mjs .cjs .py .pyi .go .rs .java .kt .kts .scala .c .h .cc .cpp .cxx .hpp .hh .cs .fs .swift .m .mm " +
    ".rb .php .pl .pm .lua .r .jl .dart .ex .exs .erl .hs .ml .clj .sh .bash .zsh .fish .ps1 .sql .vue .svelte .zig .nim .sol .tf .proto .graphql"
  ).split(" "),
);

/** How a file is chunked, from its extension. */
export function documentKind(path: string): DocumentKind {
  const ext = extname(path).toLowerCase();
  if (ext === ".md" || ext === ".markdown" || ext === ".mdx") return "markdown";
  if (ext === ".json") return "json";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (SOURCE_EXTENSIONS.has(ext)) return "source";
  return "text";
}

/** The chunks of one file's text, by its kind (see documentKind). */
export function chunkFile(options: { path: string; text: string; size?: ChunkSize }): Chunk[] {
  const { text, size = defaultChunkSize } = options;
  switch (documentKind(options.path)) {
    case "markdown":
      return chunkMarkdown({ text, size });
    case "json":
      return chunkJson({ text, size });
    case "jsonl":
      return chunkJsonl({ text, size });
    case "source":
      return chunkSource({ text, size });
    default:
      return chunkText({ text, size });
  }
}
