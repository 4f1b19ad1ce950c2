/** Where generation stopped: the content ends at `textEnd` characters and `tokenEnd` tokens. */
export interface StopMatch {
  trigger: string | readonly number[];
  textEnd?: number;
  tokenEnd?: number;
}

/**
 * Finds stop sequences in generated output: text triggers (user `stop` strings, template markers the
 * vocabulary has no token for) in the detokenized text, and special-token triggers in the token tail.
 * It also says how much trailing text to hold back while streaming, so that a stop string is never
 * half-sent to the caller.
 */
export class StopDetector {
  private readonly texts: string[];
  private readonly tokenSequences: (readonly number[])[];
  private readonly holdWhitespace: boolean;

  /** `holdWhitespace`: trailing whitespace may still be trimmed at the end (JSON grammars), so hold it too. */
  constructor(options: {
    texts?: readonly string[];
    tokenSequences?: readonly (readonly number[])[];
    holdWhitespace?: boolean;
  }) {
    this.texts = [...new Set(options.texts ?? [])].filter((t) => t.length > 0);
    this.tokenSequences = (options.tokenSequences ?? []).filter((s) => s.length > 0);
    this.holdWhitespace = options.holdWhitespace ?? false;
  }

  /** The earliest stop in the output so far, if any. */
  find(text: string, tokens: readonly number[]): StopMatch | undefined {
    for (const seq of this.tokenSequences) {
      if (endsWith(tokens, seq)) return { trigger: seq, tokenEnd: tokens.length - seq.length };
    }
    let best: StopMatch | undefined;
    for (const t of this.texts) {
      const at = text.indexOf(t);
      if (at >= 0 && (best?.textEnd === undefined || at < best.textEnd)) best = { trigger: t, textEnd: at };
    }
    return best;
  }

  /** Characters at the end of `text` that may be the start of a stop string (or of a split character). */
  holdBack(text: string): number {
    let hold = 0;
    for (const t of this.texts) {
      for (let k = Math.min(t.length - 1, text.length); k > hold; k--) {
        if (text.endsWith(t.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    // A token that ends inside a multi-byte character detokenizes to U+FFFD until the rest arrives.
    let tail = 0;
    while (tail < 4 && text[text.length - 1 - tail] === "\uFFFD") tail++;
    if (this.holdWhitespace) tail = Math.max(tail, text.length - text.trimEnd().length);
    return Math.max(hold, tail);
  }
}

function endsWith(tokens: readonly number[], seq: readonly number[]): boolean {
  if (seq.length > tokens.length) return false;
  const offset = tokens.length - seq.length;
  return seq.every((t, i) => tokens[offset + i] === t);
}
