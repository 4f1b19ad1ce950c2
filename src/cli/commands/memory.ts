import { existsSync } from "node:fs";
import type { Command } from "commander";
import { loadConfig, type LoadedConfig } from "../../config/load-config.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { embedderFromSpec } from "../../embeddings/embedder-from-spec.ts";
import { MemoryStore, type Lesson } from "../../store/memory/memory-store.ts";
import { storeLocation } from "../../store/store-location.ts";
import { displayPath } from "../../techniques/beyond-context/format-passages.ts";
import type { CliIO } from "../cli-io.ts";
import { parseIntArg } from "../parse-number.ts";

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
      "lessons file, or a name for <state>/<name>.memory.sqlite (default: LMX_MEMORY, config memory.path, <state>/memory.sqlite)",
    );
  const location = (options: MemoryOptions) => {
    const config = loadConfig({ path: program.opts().config });
    return storeLocation({ kind: "memory", value: options.store, config, env: config.env }).path;
  };

  where(memory.command("list"))
    .description("show the lessons, newest first")
    .option("-t, --tag <tag>", "only lessons with this tag")
    .option("-n, --limit <n>", "at most this many", parseIntArg)
    .option("--json", "print JSON")
    .action((options: MemoryOptions & { tag?: string; limit?: number }) => {
      const path = location(options);
      if (!existsSync(path)) {
        if (options.json) return void io.stdout.write("[]\n");
        return void io.stdout.write(`no lessons yet (${displayPath(path)} does not exist)\n`);
      }
      const store = MemoryStore.open({ path });
      try {
        const lessons = store.list({ tag: options.tag, limit: options.limit });
        if (options.json) return void io.stdout.write(JSON.stringify(lessons, null, 2) + "\n");
        io.stdout.write(lessons.length ? lessons.map(formatLesson).join("\n") + "\n" : "no lessons\n");
      } finally {
        store.close();
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
        const config = loadConfig({ path: program.opts().config });
        const path = storeLocation({ kind: "memory", value: options.store, config, env: config.env }).path;
        const store = await openStore({ path, config, spec: options.embedder ?? config.memory?.embedder });
        try {
          const lesson = await store.store.add({
            text: words.join(" "),
            question: options.question,
            tags: options.tag ?? [],
            source: "manual",
          });
          io.stdout.write(`lesson #${lesson.id} in ${displayPath(path)}\n`);
        } finally {
          await store.close();
        }
      },
    );

  where(memory.command("forget"))
    .description("delete a lesson")
    .argument("<id>", "the lesson's id (see lmx memory list)", parseIntArg)
    .action((id: number, options: MemoryOptions) => {
      const path = location(options);
      const store = MemoryStore.open({ path, mustExist: true });
      try {
        if (!store.forget(id))
          throw new InvalidRequestError(`no lesson #${id} in ${displayPath(path)}`, { param: "id" });
        io.stdout.write(`forgot lesson #${id}\n`);
      } finally {
        store.close();
      }
    });

  where(memory.command("search"))
    .description("show the lessons the memory technique would recall for a question")
    .argument("<query...>", "the question")
    .option("-k <n>", "how many", parseIntArg, 3)
    .option("--json", "print JSON")
    .action(async (words: string[], options: MemoryOptions & { k: number }) => {
      const config = loadConfig({ path: program.opts().config });
      const path = storeLocation({ kind: "memory", value: options.store, config, env: config.env }).path;
      if (!existsSync(path)) return void io.stdout.write(options.json ? "[]\n" : "no lessons yet\n");
      const store = await openStore({ path, config });
      try {
        const hits = await store.store.search(words.join(" "), { k: options.k });
        if (options.json) return void io.stdout.write(JSON.stringify(hits, null, 2) + "\n");
        io.stdout.write(
          hits.length
            ? hits.map((h) => `${formatLesson(h)}  (score ${h.score.toPrecision(3)} ${h.ranker})`).join("\n") + "\n"
            : "no matching lessons\n",
        );
      } finally {
        await store.close();
      }
    });
}

/** Opens the store with `spec`'s embedder, else the one the store was built with. */
async function openStore(o: { path: string; config: LoadedConfig; spec?: string }) {
  const probe = MemoryStore.open({ path: o.path });
  const spec = o.spec ?? probe.stats().embedder;
  probe.close();
  const embedder = spec ? await embedderFromSpec({ spec, config: o.config }) : undefined;
  const store = MemoryStore.open({ path: o.path, embedder });
  return { store, close: async () => (store.close(), await embedder?.close?.()) };
}

function formatLesson(l: Lesson): string {
  const tags = l.tags.length ? `  [${l.tags.join(", ")}]` : "";
  return `#${l.id}  ${l.createdAt.slice(0, 10)}  used ${l.uses}×${tags}\n   ${l.text}`;
}
