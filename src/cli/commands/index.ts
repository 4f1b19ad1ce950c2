import type { Command } from "commander";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { DocumentIndex } from "../../store/document-index/document-index.ts";
import type { DocumentStore } from "../../store/document-index/document-store.ts";
import type { SearchHit, SearchMode } from "../../store/document-index/index-search.ts";
import { displayPath, sourceOf } from "../../techniques/beyond-context/format-passages.ts";
import type { CliIO } from "../cli-io.ts";
import { cliStoreFile, storeWhere } from "../cli-store.ts";
import { openRuntime, type Runtime } from "../runtime.ts";
import { parseIntArg } from "../parse-number.ts";

interface IndexOptions {
  index?: string;
  embedder?: string;
  json?: boolean;
}

const MODES = ["auto", "bm25", "vector", "hybrid"];

/** `lmx index add | search | remove | stats`: the document index the `retrieve` technique reads. */
export function configureIndex(command: Command, program: Command, io: CliIO): void {
  const index = command;
  const where = (c: Command) =>
    c.option(
      "-i, --index <file>",
      "index file, or a name for <state>/<name>.sqlite (default: LMX_INDEX, config index.path, <state>/index.sqlite); with a PostgreSQL store, a name or the default is the database's index",
    );

  where(index.command("add"))
    .description("index files and folders (again: only what changed is re-indexed)")
    .argument("<path...>", "files and folders")
    .option(
      "-e, --embedder <spec>",
      "also embed chunks: openai:<model> or llama:<file.gguf> (default: config index.embedder, else the index's own)",
    )
    .option("--json", "print the counts as JSON")
    .action(async (paths: string[], options: IndexOptions) => {
      const opened = await openIndex({
        program,
        options,
        spec: (config) => options.embedder ?? config.index?.embedder,
      });
      try {
        const result = await opened.index.add(paths);
        const stats = await opened.index.stats();
        if (options.json) return void io.stdout.write(JSON.stringify({ ...result, index: stats }) + "\n");
        io.stdout.write(
          `${storeWhere(stats.path)}: ${result.added} added, ${result.updated} updated, ${result.unchanged} unchanged, ${result.removed} removed ` +
            `(${result.chunks} chunks written; ${stats.files} files, ${stats.chunks} chunks in all${stats.embedder ? `, vectors by ${stats.embedder}` : ""})\n`,
        );
        for (const s of result.skipped) io.stderr.write(`skipped ${displayPath(s.path)}: ${s.reason}\n`);
      } finally {
        await opened.close();
      }
    });

  where(index.command("search"))
    .description("show the passages a question retrieves, with their scores")
    .argument("<query...>", "the question")
    .option("-k <n>", "how many passages", parseIntArg, 4)
    .option("--mode <mode>", `ranking: ${MODES.join(", ")} (auto: hybrid when the index has vectors)`, "auto")
    .option("-e, --embedder <spec>", 'embedder for the query (default: the index\'s own; "none": BM25 only)')
    .option("--json", "print the hits as JSON")
    .action(async (words: string[], options: IndexOptions & { k: number; mode: string }) => {
      if (!MODES.includes(options.mode))
        throw new InvalidRequestError(`--mode must be one of ${MODES.join(", ")}, got "${options.mode}"`, {
          param: "mode",
        });
      const opened = await openIndex({ program, options, spec: () => options.embedder, mustExist: true });
      try {
        const hits = await opened.index.search(words.join(" "), { k: options.k, mode: options.mode as SearchMode });
        if (options.json)
          return void io.stdout.write(
            JSON.stringify(
              hits.map((h) => ({ ...h, source: sourceOf(h) })),
              null,
              2,
            ) + "\n",
          );
        if (hits.length === 0) return void io.stdout.write("no passages found\n");
        io.stdout.write(hits.map(formatHit).join("\n") + "\n");
      } finally {
        await opened.close();
      }
    });

  where(index.command("remove"))
    .description("remove files or folders from the index")
    .argument("<path...>", "files and folders")
    .action(async (paths: string[], options: IndexOptions) => {
      const opened = await openIndex({ program, options, spec: () => "none", mustExist: true });
      try {
        let removed = 0;
        for (const p of paths) removed += await opened.index.remove(p);
        const where = storeWhere((await opened.index.stats()).path);
        io.stdout.write(`removed ${removed} file${removed === 1 ? "" : "s"} from ${where}\n`);
      } finally {
        await opened.close();
      }
    });

  where(index.command("stats"))
    .description("files, chunks and embedder of the index")
    .option("--json", "print JSON")
    .action(async (options: IndexOptions) => {
      const opened = await openIndex({ program, options, spec: () => "none", mustExist: true });
      try {
        const s = await opened.index.stats();
        if (options.json) return void io.stdout.write(JSON.stringify(s) + "\n");
        io.stdout.write(
          `${storeWhere(s.path)}: ${s.files} files, ${s.chunks} chunks, ${s.embedder ? `vectors by ${s.embedder} (${s.dimensions} dimensions)` : "BM25 only"}\n`,
        );
      } finally {
        await opened.close();
      }
    });
}

/**
 * Opens the index (see cliStoreFile) with `spec`'s embedder ("none": without; absent: the one the
 * index was built with). `close` also closes the runtime it opened.
 */
async function openIndex(o: {
  program: Command;
  options: IndexOptions;
  spec: (config: Runtime["config"]) => string | undefined;
  mustExist?: boolean;
}) {
  const runtime = openRuntime({ config: o.program.opts().config });
  try {
    const file = cliStoreFile(runtime, "index", o.options.index);
    const open = (embedder?: Embedder): DocumentStore =>
      file
        ? DocumentIndex.open({ path: file, embedder, mustExist: o.mustExist })
        : runtime.host.documentIndex(o.options.index, { embedder })!;
    const probe = open();
    let builtWith: string | undefined;
    try {
      builtWith = (await probe.stats()).embedder;
    } finally {
      await probe.close();
    }
    const wanted = o.spec(runtime.config);
    const spec = wanted === "none" ? undefined : (wanted ?? builtWith);
    const embedder: Embedder | undefined = spec ? await runtime.host.embedder(spec) : undefined;
    const index = open(embedder);
    return {
      index,
      close: async () => (await index.close(), await embedder?.close?.(), await runtime.close()),
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

function formatHit(hit: SearchHit, i: number): string {
  const ranks = hit.ranks ? ` (bm25 #${hit.ranks.bm25 ?? "-"}, vector #${hit.ranks.vector ?? "-"})` : "";
  const head = `${i + 1}. ${sourceOf(hit)}${hit.context ? `  ${hit.context}` : ""}  score ${hit.score.toPrecision(3)} ${hit.ranker}${ranks}`;
  const lines = hit.text.split("\n").filter((l) => l.trim());
  const shown = lines.slice(0, 4).map((l) => `   ${l.length > 160 ? l.slice(0, 157) + "..." : l}`);
  if (lines.length > 4) shown.push(`   … ${lines.length - 4} more lines`);
  return [head, ...shown].join("\n");
}
