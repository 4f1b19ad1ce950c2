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
    .action((id: string | undefined, options: TraceOptions) => {
      const storePath = options.store ? resolve(options.store) : defaultTraceStorePath({ env: process.env });
      if (!id) return listTraces(io, storePath, options);
      const found = findTrace(id, storePath, options.results ?? defaultResultsPath({ env: process.env }));
      if (options.json) io.stdout.write(JSON.stringify(found.stored ?? found.root) + "\n");
      else {
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
    });
}

function listTraces(io: CliIO, path: string, options: TraceOptions): void {
  const store = openTraceStore({ path, mustExist: true });
  try {
    const traces = store.list({ limit: options.limit });
    if (options.json) return void io.stdout.write(JSON.stringify({ data: traces }) + "\n");
    if (traces.length === 0) return void io.stdout.write(`no traces in ${store.path}\n`);
    for (const t of traces) {
      const u = t.usage;
      io.stdout.write(
        `${t.id}  ${new Date(t.start).toISOString()}  ${t.status.padEnd(5)}  ${u.calls} calls  ${u.prompt_tokens + u.completion_tokens} tok  $${u.cost_usd.toFixed(6)}  ${Math.round(t.duration_ms)} ms  ${t.lm ?? t.model}\n`,
      );
    }
  } finally {
    store.close();
  }
}

/** The trace store first, then the eval results file; a prefix must name exactly one trace. */
function findTrace(id: string, storePath: string, resultsPath: string): { stored?: StoredTrace; root: SpanJSON } {
  const matches: { stored?: StoredTrace; root: SpanJSON }[] = [];
  if (existsSync(storePath)) {
    const store = openTraceStore({ path: storePath, mustExist: true });
    try {
      for (const match of store.idsStartingWith(id, 2)) {
        const stored = store.get(match);
        if (stored) matches.push({ stored, root: stored.root });
      }
    } finally {
      store.close();
    }
  }
  if (matches.length === 0 && existsSync(resultsPath)) {
    const results = EvalStore.open({ path: resultsPath });
    try {
      for (const root of results.findTraces(id, 2)) matches.push({ root });
    } finally {
      results.close();
    }
  }
  if (matches.length > 1)
    throw new InvalidRequestError(`trace id "${id}" is ambiguous: give more of it`, { param: "id" });
  if (matches.length === 0) {
    const looked = [storePath, ...(existsSync(resultsPath) ? [resultsPath] : [])].join(" and ");
    throw new InvalidRequestError(`no trace "${id}" in ${looked}`, { param: "id" });
  }
  return matches[0]!;
}
