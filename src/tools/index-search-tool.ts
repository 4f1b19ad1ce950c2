import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { hostOf } from "../runtime/host-of.ts";
import { resolveEmbedder } from "../techniques/beyond-context/embedder-option.ts";
import { formatPassages } from "../techniques/beyond-context/format-passages.ts";
import { functionTool, type Tool } from "./tool.ts";
import { stringArgument } from "./tool-arguments.ts";
import { ToolError } from "./tool-error.ts";

/**
 * `search_documents`: searches the user's document index (built with `lmx index add`) and returns
 * the best passages, numbered, with their file and lines. `index` is a path or a name as for the
 * `retrieve` technique (default: LMX_INDEX, config index.path, <state>/index.sqlite; the runtime's
 * database when its store is PostgreSQL). The index is
 * opened per call with the embedder it was built with, if any.
 */
export function indexSearchTool(options: { index?: string; k?: number } = {}): Tool {
  const owner = {};
  return functionTool({
    name: "search_documents",
    description:
      "Searches the user's indexed documents and returns the most relevant passages with their source file and lines.",
    parameters: {
      type: "object",
      properties: {
        query: { type: "string", description: "What to look for (keywords or a question)." },
        k: { type: "integer", minimum: 1, maximum: 20, description: `How many passages (default ${options.k ?? 4}).` },
      },
      required: ["query"],
      additionalProperties: false,
    },
    async execute(args, ctx) {
      const query = stringArgument({ tool: "search_documents", args, name: "query" });
      const k =
        typeof args.k === "number" && Number.isInteger(args.k) ? Math.min(20, Math.max(1, args.k)) : (options.k ?? 4);
      const host = hostOf(ctx);
      const probe = host.documentIndex(options.index, { existing: true });
      if (!probe)
        throw new ConfigurationError(
          `no document index at ${host.storeLocation("index", options.index).path}: build it with \`lmx index add <path...>\``,
        );
      let builtWith: string | undefined;
      try {
        builtWith = (await probe.stats()).embedder;
      } finally {
        await probe.close();
      }
      const embedder = await resolveEmbedder({ value: "auto", builtWith, owner, host });
      const index = host.documentIndex(options.index, { embedder, existing: true })!;
      try {
        const hits = await index.search(query, { k, ctx });
        if (hits.length === 0)
          throw new ToolError({ tool: "search_documents", message: `nothing in the index matches "${query}"` });
        return formatPassages(hits);
      } finally {
        await index.close();
      }
    },
  });
}
