import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { contentText } from "../core/messages.ts";
import type { Message } from "../core/types.ts";
import type { EvalRecord } from "./eval-record.ts";

/** A record the loader skipped, with why. */
export interface DataProblem {
  line: number;
  message: string;
}

export interface EvalDataset {
  path: string;
  /** sha256 of the file's bytes: results are keyed by it, so an edited file starts afresh. */
  hash: string;
  records: EvalRecord[];
  /** Bad records (not JSON, missing fields, repeated ids): reported, never fatal. */
  problems: DataProblem[];
}

const ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);

/**
 * Reads an evaluation set: JSON lines of `{"id"?, "question", "answer", "messages"?, "choices"?}`
 * (sample banks, `*.bank.jsonl`, are read the same way; their samples are ignored). Blank lines are
 * skipped; a bad line is listed in `problems` with its line number and the rest still load. A record
 * without an id gets one from a hash of its question, as recordBank does.
 */
export function loadEvalData(options: { path: string }): EvalDataset {
  const { path } = options;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "does not exist"
        : `cannot be read (${(error as Error).message})`;
    throw new ConfigurationError(`data file ${path} ${reason}`, { cause: error });
  }
  const hash = createHash("sha256").update(bytes).digest("hex");
  const records: EvalRecord[] = [];
  const problems: DataProblem[] = [];
  const ids = new Map<string, number>();
  const lines = bytes.toString("utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (!text) continue;
    const line = i + 1;
    const parsed = parseRecord(text, line);
    if (typeof parsed === "string") {
      problems.push({ line, message: parsed });
      continue;
    }
    const first = ids.get(parsed.id);
    if (first !== undefined) {
      problems.push({ line, message: `id "${parsed.id}" already appears on line ${first}` });
      continue;
    }
    ids.set(parsed.id, line);
    records.push(parsed);
  }
  if (records.length === 0 && problems.length === 0) throw new ConfigurationError(`data file ${path} has no records`);
  return { path, hash, records, problems };
}

/** A record, or the reason the line is not one. */
function parseRecord(text: string, line: number): EvalRecord | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return "not a JSON object";
  const r = raw as Record<string, unknown>;
  const messages = r.messages === undefined ? undefined : checkMessages(r.messages);
  if (typeof messages === "string") return messages;
  if (r.question !== undefined && typeof r.question !== "string") return '"question" must be a string';
  const question = typeof r.question === "string" ? r.question : messages ? lastUser(messages) : "";
  if (!question.trim()) return messages ? '"messages" has no user message' : '"question" must be a non-empty string';
  const answer = typeof r.answer === "number" || typeof r.answer === "boolean" ? String(r.answer) : r.answer;
  if (typeof answer !== "string") return '"answer" must be a string (or a number)';
  if (r.id !== undefined && (typeof r.id !== "string" || !r.id.trim()) && typeof r.id !== "number")
    return '"id" must be a non-empty string or a number';
  if (
    r.choices !== undefined &&
    (!Array.isArray(r.choices) ||
      r.choices.length === 0 ||
      !r.choices.every((c) => typeof c === "string" || typeof c === "number"))
  )
    return '"choices" must be a non-empty array of strings';
  const id =
    r.id === undefined ? `q-${createHash("sha256").update(question.trim()).digest("hex").slice(0, 16)}` : String(r.id);
  const record: EvalRecord = { id, question, answer, line };
  if (r.choices) record.choices = (r.choices as unknown[]).map(String);
  if (messages) record.messages = messages;
  return record;
}

function checkMessages(value: unknown): Message[] | string {
  if (!Array.isArray(value) || value.length === 0) return '"messages" must be a non-empty array';
  for (const [i, m] of value.entries()) {
    if (!m || typeof m !== "object" || !ROLES.has((m as Message).role))
      return `"messages"[${i}] needs a role (system, user, assistant, ...)`;
    const content = (m as Message).content;
    if (content !== null && typeof content !== "string" && !Array.isArray(content))
      return `"messages"[${i}].content must be a string or a list of parts`;
  }
  return value as Message[];
}

function lastUser(messages: Message[]): string {
  const m = [...messages].reverse().find((x) => x.role === "user");
  return m ? contentText(m.content) : "";
}
