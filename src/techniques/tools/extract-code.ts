import type { ProgramLanguage } from "../../sandbox/run-program.ts";

const tags: Record<ProgramLanguage, string[]> = {
  javascript: ["javascript", "js", "node", "nodejs", "mjs", "cjs", "jsx", "ecmascript"],
  python: ["python", "py", "python3", "py3", "pycon"],
};

interface Block {
  tag: string;
  code: string;
}

/**
 * The program in a model's reply: the last fenced block tagged with `language` (```js, ```python
 * and their aliases), else the last untagged block, else the last block of any tag (running it will
 * say what is wrong). An unterminated final fence (a cut-off reply) counts up to the end; indented
 * fences are dedented. A reply without any fence is taken as bare code. Undefined when empty.
 */
export function extractCode({ text, language }: { text: string; language: ProgramLanguage }): string | undefined {
  const blocks = fencedBlocks(text);
  if (blocks.length === 0) return text.trim() || undefined;
  const pick = (ok: (b: Block) => boolean) => blocks.filter(ok).at(-1);
  const block = pick((b) => tags[language].includes(b.tag)) ?? pick((b) => b.tag === "") ?? blocks.at(-1)!;
  return block.code.trim() ? block.code.replace(/\s+$/, "") : undefined;
}

function fencedBlocks(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let open: { marker: string; indent: number; tag: string; body: string[] } | undefined;
  for (const line of lines) {
    if (!open) {
      const m = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`]*)/.exec(line);
      if (m)
        open = { marker: m[2]!, indent: m[1]!.length, tag: m[3]!.toLowerCase().replace(/^\{?\.?|\}$/g, ""), body: [] };
      continue;
    }
    const close = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
    if (close && close[1]![0] === open.marker[0] && close[1]!.length >= open.marker.length) {
      blocks.push({ tag: open.tag, code: dedent(open.body, open.indent) });
      open = undefined;
    } else open.body.push(line);
  }
  if (open) blocks.push({ tag: open.tag, code: dedent(open.body, open.indent) });
  return blocks;
}

/** Removes the fence's own indentation from every line of its body. */
function dedent(lines: string[], indent: number): string {
  if (indent === 0) return lines.join("\n");
  return lines.map((l) => l.replace(new RegExp(`^[ \\t]{0,${indent}}`), "")).join("\n");
}
