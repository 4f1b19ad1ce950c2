import type { SpanJSON } from "../trace/span.ts";

/** What the report's drill-down shows for one question of one run, read off its trace. */
export interface QuestionDetail {
  /** Every choice an LM call produced, in trace order, with the stage (step span) it belongs to. */
  samples: { stage: string; text: string; cached?: boolean }[];
  /** Every vote event: answers with their counts and the winner. */
  votes: { stage: string; groups: { answer: string; count: number }[]; winner: string | null }[];
  /** Outputs of critique-like stages (critique, feedback, reflection, verification, judging). */
  critiques: { stage: string; text: string }[];
  /** Cascade rungs (step events with a decision): the model, its decision, confidence and samples drawn. */
  rungs: { step: number; model: string; decision: string; confidence?: number; drawn?: number; planned?: number }[];
  /** Set when the trace recorded an error. */
  error?: string;
}

const CRITIQUE = /critique|feedback|reflect|verif|review|judge|evaluat/i;

/**
 * Samples, votes and critiques of a question's trace, each text cut to `maxText` characters so
 * a report over hundreds of questions stays small.
 */
export function questionDetail(
  root: SpanJSON,
  options: { maxText?: number; maxSamples?: number } = {},
): QuestionDetail {
  const { maxText = 400, maxSamples = 64 } = options;
  const detail: QuestionDetail = { samples: [], votes: [], critiques: [], rungs: [] };
  const visit = (span: SpanJSON, stage: string) => {
    const here = span.kind === "step" || span.kind === "technique" ? span.name : stage;
    if (span.error && !detail.error) detail.error = span.error;
    for (const event of span.events) {
      if (event.name === "step" && typeof event.data.decision === "string" && typeof event.data.step === "number")
        detail.rungs.push(rungOf(event.data));
      if (event.name !== "vote") continue;
      const groups = Array.isArray(event.data.groups)
        ? (event.data.groups as { answer: unknown; count: unknown }[])
        : [];
      detail.votes.push({
        // Adaptive techniques vote after every batch: say which.
        stage: typeof event.data.batch === "number" ? `${here}, batch ${event.data.batch}` : here,
        groups: groups
          .slice(0, 12)
          .map((g) => ({ answer: clip(String(g.answer), maxText), count: Number(g.count) || 0 })),
        winner: typeof event.data.winner === "string" ? clip(event.data.winner, maxText) : null,
      });
    }
    if (span.kind === "lm" && Array.isArray(span.attributes.output)) {
      for (const out of span.attributes.output as unknown[]) {
        const text = clip(String(out ?? ""), maxText);
        if (CRITIQUE.test(here)) detail.critiques.push({ stage: here, text });
        else if (detail.samples.length < maxSamples)
          detail.samples.push({ stage: here, text, ...(span.attributes.cache_hit ? { cached: true } : {}) });
      }
    }
    for (const child of span.children) visit(child, here);
  };
  visit(root, root.name);
  return detail;
}

function rungOf(data: Record<string, unknown>): QuestionDetail["rungs"][number] {
  const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : undefined);
  const [confidence, drawn, planned] = [num(data.confidence), num(data.drawn), num(data.planned)];
  return {
    step: data.step as number,
    model: clip(String(data.model ?? ""), 200),
    decision: clip(String(data.decision), 40),
    ...(confidence === undefined ? {} : { confidence }),
    ...(drawn === undefined ? {} : { drawn }),
    ...(planned === undefined ? {} : { planned }),
  };
}

/** `text` cut to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
