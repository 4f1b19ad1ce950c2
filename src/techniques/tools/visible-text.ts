/**
 * The text a tool loop shows its caller, built step by step, so that the streamed deltas and the
 * final message are the same string. Each step reports its visible text so far (`update`); what is
 * new is returned for streaming. Steps with text are joined by a blank line, leading whitespace is
 * dropped and trailing whitespace held back until more text follows, so nothing has to be unsent.
 */
export class VisibleText {
  private committed = "";
  private step = "";

  /** The step's visible text is now `visible` (it only grows); returns the part not yet emitted. */
  update(visible: string): string {
    const text = visible.replace(/^\s+/, "").trimEnd();
    if (!text) return "";
    const target = (this.committed ? "\n\n" : "") + text;
    if (!target.startsWith(this.step)) return "";
    const fresh = target.slice(this.step.length);
    this.step = target;
    return fresh;
  }

  /** Ends the step: its text becomes part of the total. */
  commit(): void {
    this.committed += this.step;
    this.step = "";
  }

  /** Everything emitted so far. */
  get total(): string {
    return this.committed + this.step;
  }
}
