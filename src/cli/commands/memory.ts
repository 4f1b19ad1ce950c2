import { existsSync } from "node:fs";
import type { Command } from "commander";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import type { LessonStore } from "../../store/memory/lesson-store.ts";
import { MemoryStore, type Lesson } from "../../store/memory/memory-store.ts";
import type { CliIO } from "../cli-io.ts";
import { cliStoreFile, storeWhere } from "../cli-store.ts";
import { parseIntArg } from "../parse-number.ts";
import { openRuntime, type Runtime } from "../runtime.ts";

interface MemoryOptions {
  store?: string;
  json?: boolean;
}

/** `lmx memory list | add | forget | search`: the lessons the `memory` technique recalls and learns. */
export function configureMemory(command: Command, program: Command, io: CliIO): void {
  const memory = command;
  const where = (c: Command) =>
    c.option(
      "-s, --store <file>",
      "lessons file, or a name for <state>/<name>.memory.sqlite (default: LMX_MEMORY, config memory.path, <state>/memory.sqlite); with a PostgreSQL store, a name or the default is the database's store",
    );
  const open = (options: MemoryOptions, o: Omit<Parameters<typeof openStore>[0], "program" | "store">) =>
    openStore({ program, store: options.store, ...o });

  where(memory.command("list"))
    .description("show the lessons, newest first")
    .option("-t, --tag <tag>", "only lessons with this tag")
    .option("-n, --limit <n>", "at most this many", parseIntArg)
    .option("--json", "print JSON")
    .action(async (options: MemoryOptions & { tag?: string; limit?: number }) => {
      const opened = await open(options, { spec: () => "none", missing: "empty" });
      if (!opened.store) {
        if (options.json) return void io.stdout.write("[]\n");
        return void io.stdout.write(`no lessons yet (${storeWhere(opened.where)} does not exist)\n`);
      }
      const { store } = opened;
      try {
        const lessons = await store.list({ tag: options.tag, limit: options.limit });
        if (options.json) return void io.stdout.write(JSON.stringify(lessons, null, 2) + "\n");
        io.stdout.write(lessons.length ? lessons.map(formatLesson).join("\n") + "\n" : "no lessons\n");
      } finally {
        await opened.close();
      }
    });

  where(memory.command("add"))
    .description("teach a lesson directly (explicit feedback)")
    .argument("<text...>", "the lesson")
    .option("-t, --tag <tag...>", "tags")
    .option("-q, --question <text>", "the question it comes from")
    .option(
      "-e, --embedder <spec>",
      "embed lessons: openai:<model> or llama:<file.gguf> (default: config memory.embedder, else the store's own)",
    )
    .action(
      async (words: string[], options: MemoryOptions & { tag?: string[]; question?: string; embedder?: string }) => {
        const opened = await open(options, {
          spec: (config) => options.embedder ?? config.memory?.embedder,
          missing: "create",
        });
        try {
          const lesson = await opened.store!.add({
            text: words.join(" "),
            question: options.question,
            tags: options.tag ?? [],
            source: "manual",
          });
          io.stdout.write(`lesson #${lesson.id} in ${storeWhere(opened.where)}\n`);
        } finally {
          await opened.close();
        }
      },
    );

  where(memory.command("forget"))
    .description("delete a lesson")
    .argument("<id>", "the lesson's id (see lmx memory list)", parseIntArg)
    .action(async (id: number, options: MemoryOptions) => {
      const opened = await open(options, { spec: () => "none", missing: "error" });
      try {
        if (!(await opened.store!.forget(id)))
          throw new InvalidRequestError(`no lesson #${id} in ${storeWhere(opened.where)}`, { param: "id" });
        io.stdout.write(`forgot lesson #${id}\n`);
      } finally {
        await opened.close();
      }
    });

  where(memory.command("search"))
    .description("show the lessons the memory technique would recall for a question")
    .argument("<query...>", "the question")
    .option("-k <n>", "how many", parseIntArg, 3)
    .option("--json", "print JSON")
    .action(async (words: string[], options: MemoryOptions & { k: number }) => {
      const opened = await open(options, { missing: "empty" });
      if (!opened.store) return void io.stdout.write(options.json ? "[]\n" : "no lessons yet\n");
      try {
        const hits = await opened.store.search(words.join(" "), { k: options.k });
        if (options.json) return void io.stdout.write(JSON.stringify(hits, null, 2) + "\n");
        io.stdout.write(
          hits.length
            ? hits.map((h) => `${formatLesson(h)}  (score ${h.score.toPrecision(3)} ${h.ranker})`).join("\n") + "\n"
            : "no matching lessons\n",
        );
      } finally {
        await opened.close();
      }
    });
}

/**
 * Opens the lessons store (see cliStoreFile) with `spec`'s embedder ("none": without; absent: the
 * one the store was built with). A missing SQLite file is `missing`: "empty" (no store), "error" or
 * "create"; a database's store is always there. `close` also closes the runtime.
 */
async function openStore(o: {
  program: Command;
  store: string | undefined;
  spec?: (config: Runtime["config"]) => string | undefined;
  missing: "empty" | "error" | "create";
}): Promise<{ store?: LessonStore; where: string; close(): Promise<void> }> {
  const runtime = openRuntime({ config: o.program.opts().config });
  try {
    const file = cliStoreFile(runtime, "memory", o.store);
    if (file && o.missing === "empty" && !existsSync(file)) return { where: file, close: () => runtime.close() };
    const open = (embedder?: Embedder): LessonStore =>
      file
        ? MemoryStore.open({ path: file, embedder, mustExist: o.missing === "error" })
        : runtime.host.memoryStore(o.store, { embedder })!;
    const wanted = o.spec?.(runtime.config);
    const spec = wanted === "none" ? undefined : (wanted ?? (await builtWith(open())));
    const embedder = spec ? await runtime.host.embedder(spec) : undefined;
    const store = open(embedder);
    return {
      store,
      where: (await store.stats()).path,
      close: async () => (await store.close(), await embedder?.close?.(), await runtime.close()),
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

/** The embedder `probe` (which this closes) was built with. */
async function builtWith(probe: LessonStore): Promise<string | undefined> {
  try {
    return (await probe.stats()).embedder;
  } finally {
    await probe.close();
  }
}

function formatLesson(l: Lesson): string {
  const tags = l.tags.length ? `  [${l.tags.join(", ")}]` : "";
  return `#${l.id}  ${l.createdAt.slice(0, 10)}  used ${l.uses}×${tags}\n   ${l.text}`;
}
