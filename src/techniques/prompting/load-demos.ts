import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";

/** One demonstration: a question and the full response to show for it. */
export interface Demo {
  question: string;
  answer: string;
}

/** A demo record; other keys (an id, the source's samples) are allowed and dropped. */
export const demoSchema = z.object({
  question: z.string().refine((s) => s.trim().length > 0, "must be a non-empty string"),
  answer: z.string().refine((s) => s.trim().length > 0, "must be a non-empty string"),
});

const loaded = new Map<string, { stamp: string; demos: Demo[] }>();

/**
 * Reads demonstrations from a file: a JSON array of `{question, answer}` objects, or JSON lines of
 * them (so an eval data file or a sample bank works as it is). Relative paths resolve against the
 * current folder. Files are read once per modification, since a technique may be built per request.
 */
export function loadDemos(options: { path: string }): Demo[] {
  const file = resolve(options.path);
  let stamp: string;
  try {
    const stat = statSync(file);
    stamp = `${stat.mtimeMs}:${stat.size}`;
  } catch (error) {
    throw new ConfigurationError(
      `demos file ${options.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { cause: error },
    );
  }
  const cached = loaded.get(file);
  if (cached?.stamp === stamp) return cached.demos;
  const demos = parseDemos(readFileSync(file, "utf8"), options.path);
  loaded.set(file, { stamp, demos });
  return demos;
}

function parseDemos(text: string, path: string): Demo[] {
  const trimmed = text.trim();
  const items: { value: unknown; where: string }[] = [];
  try {
    if (trimmed.startsWith("["))
      (JSON.parse(trimmed) as unknown[]).forEach((value, i) => items.push({ value, where: `item ${i + 1}` }));
    else
      text.split("\n").forEach((line, i) => {
        if (line.trim()) items.push({ value: JSON.parse(line), where: `line ${i + 1}` });
      });
  } catch (error) {
    throw new ConfigurationError(`demos file ${path} is not a JSON array or JSON lines: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return items.map(({ value, where }) => {
    const parsed = demoSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ConfigurationError(
        `demos file ${path}, ${where}: ${issue.path.join(".") || "record"} ${issue.message}`,
      );
    }
    return { question: parsed.data.question, answer: parsed.data.answer };
  });
}
