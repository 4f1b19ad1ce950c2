import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";

/** One line of a `*.bank.jsonl` file: a question, its reference answer and recorded samples in order. */
export interface BankRecord {
  id: string;
  question: string;
  answer: string;
  samples: string[];
}

export interface SampleBank {
  /** The file as given (it names the replay model). */
  path: string;
  records: BankRecord[];
  byId: Map<string, BankRecord>;
  /** Keyed by the trimmed question text. */
  byQuestion: Map<string, BankRecord>;
}

/**
 * Reads and validates a sample bank (`{"id","question","answer","samples":[...]}` per line; blank
 * lines are skipped). A line that is not JSON or lacks a field, or a repeated id or question, is a
 * ConfigurationError naming the file and line number.
 */
export function loadSampleBank(path: string): SampleBank {
  let text: string;
  try {
    text = readFileSync(resolve(path), "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "does not exist"
        : `cannot be read (${(error as Error).message})`;
    throw new ConfigurationError(`sample bank ${path} ${reason}`, { cause: error });
  }
  const bank: SampleBank = { path, records: [], byId: new Map(), byQuestion: new Map() };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const where = `sample bank ${path} line ${i + 1}`;
    const record = parseRecord(line, where);
    const seen = bank.byId.get(record.id);
    if (seen) throw new ConfigurationError(`${where}: id "${record.id}" appears twice`);
    const key = record.question.trim();
    const same = bank.byQuestion.get(key);
    // Two ids for one question would make replays ambiguous.
    if (same) throw new ConfigurationError(`${where}: the question of "${record.id}" repeats that of "${same.id}"`);
    bank.records.push(record);
    bank.byId.set(record.id, record);
    bank.byQuestion.set(key, record);
  }
  if (bank.records.length === 0) throw new ConfigurationError(`sample bank ${path} has no questions`);
  return bank;
}

function parseRecord(line: string, where: string): BankRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    // Not the parser's message: it quotes the line, and the proxy lets clients name a bank by any path.
    throw new ConfigurationError(`${where} is not valid JSON`, { cause: error });
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new ConfigurationError(`${where} is not a JSON object`);
  const v = value as Record<string, unknown>;
  const problem =
    typeof v.id !== "string" || !v.id
      ? `"id" must be a non-empty string`
      : typeof v.question !== "string" || !v.question.trim()
        ? `"question" must be a non-empty string`
        : typeof v.answer !== "string"
          ? `"answer" must be a string`
          : !Array.isArray(v.samples) || v.samples.length === 0 || !v.samples.every((s) => typeof s === "string")
            ? `"samples" must be a non-empty array of strings`
            : undefined;
  if (problem) throw new ConfigurationError(`${where}: ${problem}`);
  return {
    id: v.id as string,
    question: v.question as string,
    answer: v.answer as string,
    samples: v.samples as string[],
  };
}
