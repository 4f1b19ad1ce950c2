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
