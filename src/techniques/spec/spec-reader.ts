import { specError } from "./spec-error.ts";

/** A cursor over spec text: the shared lexing steps of the spec parser and the sweep expander. */
export class SpecReader {
  readonly text: string;
  pos = 0;

  constructor(text: string) {
    this.text = text;
  }

  peek(ahead = 0): string {
    return this.text[this.pos + ahead] ?? "";
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (/\s/.test(this.peek())) this.pos++;
  }

  /** Consumes `char` (after spaces) or fails with what was expected instead. */
  expect(char: string, context: string): void {
    this.skipSpace();
    if (this.peek() !== char) this.fail(`expected "${char}" ${context}, found ${this.describeHere()}`);
    this.pos++;
  }

  /** Reads characters while `pattern` matches each one. */
  readWhile(pattern: RegExp): string {
    const start = this.pos;
    while (!this.atEnd() && pattern.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** `"..."` or `'...'` with JSON escapes (plus `\'`); the cursor is on the opening quote. */
  readQuoted(): string {
    const open = this.pos;
    const quote = this.peek();
    this.pos++;
    let out = "";
    for (;;) {
      if (this.atEnd()) this.fail(`unterminated string: no closing ${quote}`, open);
      const c = this.peek();
      this.pos++;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.peek();
      this.pos++;
      const simple: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        b: "\b",
        f: "\f",
        "\\": "\\",
        "/": "/",
        '"': '"',
        "'": "'",
      };
      if (e in simple) out += simple[e];
      else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos, this.pos + 4))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else this.fail(`unknown escape "\\${e}" in a quoted string (use \\\\ for a backslash)`, this.pos - 2);
    }
  }

  describeHere(): string {
    return this.atEnd() ? "the end of the spec" : `"${this.peek()}"`;
  }

  fail(message: string, offset = this.pos): never {
    throw specError({ text: this.text, offset, message: `invalid technique spec: ${message}` });
  }
}
