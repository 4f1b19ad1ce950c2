import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { EvalStore } from "../../eval/eval-store.ts";
import type { StoredTrace } from "../../server/trace-store.ts";
import { defaultTraceStorePath, openTraceStore } from "../../store/trace-store/sqlite-trace-store.ts";
import { formatTraceTree } from "../../trace/format-trace-tree.ts";
import type { SpanJSON } from "../../trace/span.ts";
import type { CliIO } from "../cli-io.ts";
import { parseIntArg } from "../parse-number.ts";
import { defaultResultsPath } from "../../store/lmx-dirs.ts";
import { defaultCachePath } from "../../cache/sqlite-cache.ts";
import { loadConfig } from "../../config/load-config.ts";
import { openStores, type Stores } from "../../store/open-stores.ts";
import { storeUrl } from "../../store/store-url.ts";
import type { PersistentTraceStore } from "../../store/trace-store/persistent-trace-store.ts";

interface TraceOptions {
  json?: boolean;
  store?: string;
  results?: string;
  limit: number;
}

export function configureTrace(command: Command, program: Command, io: CliIO): void {
  command
    .argument("[id]", "trace id (a unique prefix is enough)")
    .option("--json", "print the trace as JSON")
    .option("--store <file>", "trace store (default LMX_TRACES or <state>/traces.sqlite)")
    .option("--results <file>", "also look in this eval results file (default <state>/eval.sqlite when present)")
    .option("--limit <n>", "traces to list", parseIntArg, 20)
    .action(async (id: string | undefined, options: TraceOptions) => {
      const where = traceStoreFor(program, options);
      try {
        if (!id) return await listTraces(io, where, options);
        const found = await findTrace(id, where, resultsSource(where, options.results));
        printFound(io, found, options);
      } finally {
        await where.stores?.close();
      }
    });
}

/** `--store FILE` names a SQLite trace file; otherwise the `store` setting (LMX_STORE, config) decides. */
function traceStoreFor(program: Command, options: TraceOptions): TraceStoreSource {
  if (options.store) {
    const path = resolve(options.store);
    return { label: path, exists: () => existsSync(path), open: () => openTraceStore({ path, mustExist: true }) };
  }
  const config = loadConfig({ path: program.opts().config });
  const path = defaultTraceStorePath({ env: config.env });
  const stores = openStores(storeUrl({ env: config.env, config }), {
    cache: defaultCachePath({ env: config.env }),
    traces: path,
    evalResults: defaultResultsPath({ env: config.env }),
  });
  return {
    label: stores.backend === "postgres" ? stores.where : path,
    exists: () => stores.backend === "postgres" || existsSync(path),
    open: () => stores.traces({ mustExist: true }),
    stores,
  };
}

interface TraceStoreSource {
  /** The file or database, for messages. */
  label: string;
  exists(): boolean;
  open(): PersistentTraceStore;
  stores?: Stores;
}

function printFound(io: CliIO, found: { stored?: StoredTrace; root: SpanJSON }, options: TraceOptions): void {
  if (options.json) return void io.stdout.write(JSON.stringify(found.stored ?? found.root) + "\n");
  if (found.stored)
    io.stdout.write(
      `trace ${found.stored.id} · ${found.stored.lm ?? found.stored.model} · ${new Date(found.stored.start).toISOString()}\n`,
    );
  io.stdout.write(
    formatTraceTree(found.root, {
      details: true,
      width: Math.max(80, (io.stdout as { columns?: number }).columns ?? 160),
    }),
  );
}

async function listTraces(io: CliIO, source: TraceStoreSource, options: TraceOptions): Promise<void> {
  const store = source.open();
  try {
    const traces = await store.list({ limit: options.limit });
    if (options.json) return void io.stdout.write(JSON.stringify({ data: traces }) + "\n");
    if (traces.length === 0) return void io.stdout.write(`no traces in ${store.where}\n`);
    for (const t of traces) {
      const u = t.usage;
      io.stdout.write(
        `${t.id}  ${new Date(t.start).toISOString()}  ${t.status.padEnd(5)}  ${u.calls} calls  ${u.prompt_tokens + u.completion_tokens} tok  $${u.cost_usd.toFixed(6)}  ${Math.round(t.duration_ms)} ms  ${t.lm ?? t.model}\n`,
      );
    }
  } finally {
    await store.close();
  }
}

interface ResultsSource {
  label: string;
  exists(): boolean;
  open(): EvalStore;
}

/** `--results FILE`, else the store's eval results (the database, or `<state>/eval.sqlite` when present). */
function resultsSource(where: TraceStoreSource, file: string | undefined): ResultsSource {
  const stores = where.stores;
  if (!file && stores?.backend === "postgres")
    return { label: stores.where, exists: () => true, open: () => stores.evalResults() };
  const path = file ?? defaultResultsPath();
  return { label: path, exists: () => existsSync(path), open: () => EvalStore.open({ path }) };
}

/** The trace store first, then the eval results file; a prefix must name exactly one trace. */
async function findTrace(
  id: string,
  source: TraceStoreSource,
  results: ResultsSource,
): Promise<{ stored?: StoredTrace; root: SpanJSON }> {
  const matches: { stored?: StoredTrace; root: SpanJSON }[] = [];
  if (source.exists()) {
    const store = source.open();
    try {
      for (const match of await store.idsStartingWith(id, 2)) {
        const stored = await store.get(match);
        if (stored) matches.push({ stored, root: stored.root });
      }
    } finally {
      await store.close();
    }
  }
  if (matches.length === 0 && results.exists()) {
    const store = results.open();
    try {
      for (const root of await store.findTraces(id, 2)) matches.push({ root });
    } finally {
      await store.close();
    }
  }
  if (matches.length > 1)
    throw new InvalidRequestError(`trace id "${id}" is ambiguous: give more of it`, { param: "id" });
  if (matches.length === 0) {
    const looked = [...new Set([source.label, ...(results.exists() ? [results.label] : [])])].join(" and ");
    throw new InvalidRequestError(`no trace "${id}" in ${looked}`, { param: "id" });
  }
  return matches[0]!;
}
