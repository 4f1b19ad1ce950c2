import { contentText, lastUserText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import type { BankRecord, SampleBank } from "./sample-bank.ts";

const WORD = /[\p{L}\p{N}_]+/gu;
/** Messages a question can be embedded in (techniques wrap questions in their own prompts). */
const SEARCHED_ROLES = new Set(["user", "system", "developer"]);

/**
 * Finds the bank question a request asks. Exact match of the last user message first; otherwise the
 * longest bank question contained in any user/system message. Each question is indexed under its
 * rarest interior word (a word not touching the question's ends, so it tokenizes the same inside any
 * longer prompt); a prompt is tokenized once and only questions anchored on its words are compared.
 */
export class QuestionIndex {
  private readonly byQuestion: Map<string, BankRecord>;
  private readonly byAnchor = new Map<string, BankRecord[]>();
  /** Questions without an interior word (one or two words): compared against every prompt. */
  private readonly unanchored: BankRecord[] = [];

  constructor(bank: SampleBank) {
    this.byQuestion = bank.byQuestion;
    const interior = bank.records.map((r) => interiorWords(r.question.trim()));
    const frequency = new Map<string, number>();
    for (const words of interior) for (const w of new Set(words)) frequency.set(w, (frequency.get(w) ?? 0) + 1);
    bank.records.forEach((record, i) => {
      let anchor: string | undefined;
      for (const w of interior[i]!) {
        const better =
          anchor === undefined ||
          frequency.get(w)! < frequency.get(anchor)! ||
          (frequency.get(w) === frequency.get(anchor) && w.length > anchor.length);
        if (better) anchor = w;
      }
      if (anchor === undefined) this.unanchored.push(record);
      else this.byAnchor.set(anchor, [...(this.byAnchor.get(anchor) ?? []), record]);
    });
  }

  /** The bank record the request asks about, or undefined. */
  find(request: ChatRequest): BankRecord | undefined {
    const exact = this.byQuestion.get(lastUserText(request).trim());
    if (exact) return exact;
    let best: BankRecord | undefined;
    for (const message of request.messages) {
      if (!SEARCHED_ROLES.has(message.role)) continue;
      const text = contentText(message.content);
      if (!text) continue;
      for (const record of this.candidates(text)) {
        const question = record.question.trim();
        if ((!best || question.length > best.question.trim().length) && text.includes(question)) best = record;
      }
    }
    return best;
  }

  private *candidates(text: string): Iterable<BankRecord> {
    yield* this.unanchored;
    for (const word of new Set(text.match(WORD) ?? [])) {
      const records = this.byAnchor.get(word);
      if (records) yield* records;
    }
  }
}

/** Words of `text` that neither start at its first character nor end at its last. */
function interiorWords(text: string): string[] {
  const words: string[] = [];
  for (const m of text.matchAll(WORD)) if (m.index > 0 && m.index + m[0].length < text.length) words.push(m[0]);
  return words;
}
