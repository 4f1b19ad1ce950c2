/** What a piece of model text holds: reasoning, answer, either or neither. */
export interface SplitPiece {
  reasoning?: string;
  content?: string;
}

const OPEN = "<think>";
const CLOSE = "</think>";

/**
 * Splits a `<think>…</think>` block at the start of a local model's text from its answer, as the
 * text streams in: feed pieces to `push`, then call `end`. Tags split across pieces are held back
 * until they are whole. Text that does not start with `<think>` (after whitespace) is all answer;
 * a block never closed (the model ran out of tokens) is all reasoning.
 */
export class ThinkSplitter {
  private state: "start" | "thinking" | "after" | "answer";
  private held = "";

  /** `open`: the text starts inside a block the prompt opened (a template's or a prefill's `<think>`). */
  constructor(options: { open?: boolean } = {}) {
    this.state = options.open ? "thinking" : "start";
  }

  push(text: string): SplitPiece {
    const out: SplitPiece = {};
    this.held += text;
    for (;;) {
      if (this.state === "start") {
        const lead = this.held.trimStart();
        if (lead.startsWith(OPEN)) {
          this.held = lead.slice(OPEN.length);
          this.state = "thinking";
        } else if (OPEN.startsWith(lead))
          return out; // not known yet
        else this.state = "answer";
      } else if (this.state === "thinking") {
        const close = this.held.indexOf(CLOSE);
        if (close >= 0) {
          add(out, "reasoning", this.held.slice(0, close));
          this.held = this.held.slice(close + CLOSE.length);
          this.state = "after";
        } else {
          const keep = partialSuffix(this.held, CLOSE);
          add(out, "reasoning", this.held.slice(0, this.held.length - keep));
          this.held = this.held.slice(this.held.length - keep);
          return out;
        }
      } else if (this.state === "after") {
        // The answer's leading blank lines belong to the tag, not the answer.
        this.held = this.held.trimStart();
        if (this.held === "") return out;
        this.state = "answer";
      } else {
        add(out, "content", this.held);
        this.held = "";
        return out;
      }
    }
  }

  /** The text held back at the end of the stream. */
  end(): SplitPiece {
    const out: SplitPiece = {};
    if (this.state === "thinking") add(out, "reasoning", this.held);
    else if (this.state === "start" || this.state === "answer") add(out, "content", this.held);
    this.held = "";
    return out;
  }
}

/** A whole text split at once: `{reasoning, content}` (reasoning undefined when there is no block). */
export function splitThink(text: string, options: { open?: boolean } = {}): { reasoning?: string; content: string } {
  const splitter = new ThinkSplitter(options);
  const a = splitter.push(text);
  const b = splitter.end();
  const reasoning = (a.reasoning ?? "") + (b.reasoning ?? "");
  const content = (a.content ?? "") + (b.content ?? "");
  return reasoning || options.open || /^\s*<think>/.test(text) ? { reasoning, content } : { content: text };
}

/**
 * Whether a prompt leaves a `<think>` block open for the model to go on with: its last message is an
 * assistant prefill with an unclosed block, or its rendered text ends in `<think>` (templates of
 * reasoning models that open the block themselves).
 */
export function opensThinking(lastMessageText: string | undefined, promptTail: string): boolean {
  if (promptTail.trimEnd().endsWith("<think>")) return true;
  if (lastMessageText === undefined) return false;
  return lastMessageText.lastIndexOf("<think>") > lastMessageText.lastIndexOf("</think>");
}

function add(out: SplitPiece, key: keyof SplitPiece, text: string): void {
  if (text) out[key] = (out[key] ?? "") + text;
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialSuffix(text: string, tag: string): number {
  for (let k = Math.min(tag.length - 1, text.length); k > 0; k--) if (tag.startsWith(text.slice(-k))) return k;
  return 0;
}
