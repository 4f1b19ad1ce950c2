import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";

/** One thing learned: a general rule that would have avoided a past mistake. */
export interface Lesson {
  id: number;
  text: string;
  /** The question whose mistake taught it, if any. */
  question?: string;
  tags: string[];
  /** Where it came from: "feedback", "verifier", "manual" … */
  source: string;
  /** ISO time. */
  createdAt: string;
  /** How many answers it was shown to. */
  uses: number;
}

/** A row of the `lessons` table. */
export interface LessonRow {
  id: number;
  text: string;
  question: string | null;
  tags: string;
  source: string;
  created_at: number;
  uses: number;
}

/** The lesson a row holds. */
export function toLesson(row: LessonRow): Lesson {
  let tags: string[] = [];
  try {
    tags = JSON.parse(row.tags);
  } catch {
    // A hand-edited row: no tags rather than a crash.
  }
  return {
    id: row.id,
    text: row.text,
    question: row.question ?? undefined,
    tags,
    source: row.source,
    createdAt: new Date(row.created_at).toISOString(),
    uses: row.uses,
  };
}

const MAX_LESSON_CHARS = 2000;

/** A new lesson's text as stored (trimmed, at most 2000 characters) and its key: the same text again is the same lesson. */
export function lessonText(raw: string): { text: string; key: string } {
  const text = raw.trim().slice(0, MAX_LESSON_CHARS);
  if (!text) throw new InvalidRequestError("a lesson needs some text", { param: "text" });
  return { text, key: text.toLowerCase().replace(/\s+/g, " ") };
}

/** A new lesson's tags: trimmed, empty ones dropped, each once. */
export function lessonTags(tags: readonly string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim()).filter(Boolean))];
}
