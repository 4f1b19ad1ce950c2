import { isAbsolute, relative } from "node:path";
import type { SearchHit } from "../../store/document-index/index-search.ts";

/** A path relative to the working folder when it is inside it, else as stored. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

/** `path:10-24` (or `path:7` for one line). */
export function sourceOf(hit: Pick<SearchHit, "path" | "startLine" | "endLine">): string {
  const lines = hit.startLine === hit.endLine ? `${hit.startLine}` : `${hit.startLine}-${hit.endLine}`;
  return `${displayPath(hit.path)}:${lines}`;
}

/** Numbered passages for a prompt: `[1] docs/setup.md:10-24 (Setup > Install)` then the passage text. */
export function formatPassages(hits: readonly SearchHit[]): string {
  return hits
    .map((hit, i) => `[${i + 1}] ${sourceOf(hit)}${hit.context ? ` (${hit.context})` : ""}\n${hit.text.trim()}`)
    .join("\n\n");
}

/** The passage numbers an answer cites as [n] (also [1, 2] and [1][3]), in order of first citation. */
export function citedNumbers(answer: string): number[] {
  const cited: number[] = [];
  for (const group of answer.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g))
    for (const n of group[1]!.split(",").map((x) => Number(x.trim()))) if (!cited.includes(n)) cited.push(n);
  return cited;
}
