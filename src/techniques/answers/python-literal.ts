/**
 * A parser for Python literals (and JSON, which is nearly a subset): None/True/False (null/true/false),
 * ints of any size, floats, strings with prefixes and escapes, bytes, lists, tuples, sets, dicts and
 * `set()`. Enough to compare the outputs models predict for Python expressions.
 */
export type PyValue =
  | { t: "none" }
  | { t: "bool"; v: boolean }
  | { t: "int"; v: bigint }
  | { t: "float"; v: number }
  | { t: "str"; v: string }
  | { t: "bytes"; v: string }
  | { t: "list" | "tuple" | "set"; items: PyValue[] }
  | { t: "dict"; entries: [PyValue, PyValue][] };

/** Parses one literal spanning the whole text; throws a SyntaxError otherwise. */
export function parsePythonLiteral(text: string): PyValue {
  const p = new Parser(text);
  const value = p.value();
  p.space();
  if (p.i < text.length) p.fail("unexpected text after the literal");
  return value;
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "\n": "",
};

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  fail(why: string): never {
    throw new SyntaxError(`not a Python literal at ${this.i}: ${why}`);
  }

  space(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  eat(token: string): boolean {
    this.space();
    if (!this.s.startsWith(token, this.i)) return false;
    this.i += token.length;
    return true;
  }

  value(): PyValue {
    this.space();
    const c = this.s[this.i];
    if (c === "[") return { t: "list", items: this.sequence("]") };
    if (c === "(") {
      this.i++;
      if (this.eat(")")) return { t: "tuple", items: [] };
      const first = this.value();
      if (this.eat(")")) return first; // a parenthesised value, not a tuple
      if (!this.eat(",")) this.fail("expected , or )");
      return { t: "tuple", items: [first, ...this.sequence(")", true)] };
    }
    if (c === "{") return this.braces();
    if (c === "-" || c === "+") {
      this.i++;
      const v = this.value();
      if (v.t === "int") return { t: "int", v: c === "-" ? -v.v : v.v };
      if (v.t === "float") return { t: "float", v: c === "-" ? -v.v : v.v };
      this.fail("a sign needs a number");
    }
    const word = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i))?.[0];
    const stringPrefix =
      word !== undefined && /^[rbu]{1,2}$/i.test(word) && /['"]/.test(this.s[this.i + word.length] ?? "");
    if (word && !stringPrefix) {
      this.i += word.length;
      if (word === "None" || word === "null") return { t: "none" };
      if (word === "True" || word === "true") return { t: "bool", v: true };
      if (word === "False" || word === "false") return { t: "bool", v: false };
      if ((word === "set" || word === "frozenset") && this.eat("(") && this.eat(")")) return { t: "set", items: [] };
      if (word === "inf" || word === "nan") return { t: "float", v: word === "inf" ? Infinity : NaN };
      this.fail(`unknown name ${word}`);
    }
    if (/[\d.]/.test(c ?? "")) return this.number();
    return this.string();
  }

  sequence(close: string, started = false): PyValue[] {
    if (!started) this.i++;
    const items: PyValue[] = [];
    while (!this.eat(close)) {
      items.push(this.value());
      if (!this.eat(",")) {
        if (!this.eat(close)) this.fail(`expected , or ${close}`);
        break;
      }
    }
    return items;
  }

  braces(): PyValue {
    this.i++;
    if (this.eat("}")) return { t: "dict", entries: [] };
    const first = this.value();
    if (!this.eat(":")) {
      if (this.eat("}")) return { t: "set", items: [first] };
      if (!this.eat(",")) this.fail("expected , or }");
      return { t: "set", items: [first, ...this.sequence("}", true)] };
    }
    const entries: [PyValue, PyValue][] = [[first, this.value()]];
    while (this.eat(",")) {
      if (this.eat("}")) return { t: "dict", entries };
      const key = this.value();
      if (!this.eat(":")) this.fail("expected :");
      entries.push([key, this.value()]);
    }
    if (!this.eat("}")) this.fail("expected , or }");
    return { t: "dict", entries };
  }

  number(): PyValue {
    const rest = this.s.slice(this.i);
    const based = /^0([xob])([\da-f_]+)/i.exec(rest);
    if (based) {
      this.i += based[0].length;
      return { t: "int", v: BigInt(`0${based[1]!.toLowerCase()}${based[2]!.replace(/_/g, "")}`) };
    }
    const m = /^(?:\d[\d_]*)?(\.\d[\d_]*|\.)?(?:[eE][-+]?\d+)?/.exec(rest)!;
    const text = m[0].replace(/_/g, "");
    if (!text || text === ".") this.fail("expected a number");
    this.i += m[0].length;
    if (/[jJ]/.test(this.s[this.i] ?? "")) this.fail("complex numbers are not supported");
    return /[.eE]/.test(text) ? { t: "float", v: Number(text) } : { t: "int", v: BigInt(text) };
  }

  string(): PyValue {
    let bytes = false;
    let text = "";
    let any = false;
    // Adjacent string literals concatenate, as in Python.
    for (;;) {
      this.space();
      const prefix = /^([rbuRBU]{0,2})(['"])/.exec(this.s.slice(this.i));
      if (!prefix) break;
      const flags = prefix[1]!.toLowerCase();
      bytes ||= flags.includes("b");
      this.i += prefix[1]!.length;
      text += this.quoted(flags.includes("r"));
      any = true;
    }
    if (!any) this.fail("expected a value");
    return bytes ? { t: "bytes", v: text } : { t: "str", v: text };
  }

  quoted(raw: boolean): string {
    const q = this.s.startsWith(this.s[this.i]!.repeat(3), this.i) ? this.s[this.i]!.repeat(3) : this.s[this.i]!;
    this.i += q.length;
    let out = "";
    while (!this.s.startsWith(q, this.i)) {
      if (this.i >= this.s.length || (q.length === 1 && this.s[this.i] === "\n")) this.fail("unterminated string");
      const c = this.s[this.i++]!;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.s[this.i++] ?? "";
      if (raw) out += `\\${e}`;
      else if (e in ESCAPES) out += ESCAPES[e];
      else if (e === "x" || e === "u" || e === "U") {
        const width = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = this.s.slice(this.i, this.i + width);
        if (!/^[\da-f]+$/i.test(hex) || hex.length !== width) this.fail("bad escape");
        out += String.fromCodePoint(parseInt(hex, 16));
        this.i += width;
      } else if (/[0-7]/.test(e)) {
        const oct = /^[0-7]{0,2}/.exec(this.s.slice(this.i))![0];
        out += String.fromCharCode(parseInt(e + oct, 8));
        this.i += oct.length;
      } else out += `\\${e}`; // Python keeps unknown escapes as written
    }
    this.i += q.length;
    return out;
  }
}
