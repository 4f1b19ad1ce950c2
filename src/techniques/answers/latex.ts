/**
 * Removes LaTeX that wraps answers without changing them: math delimiters, \text{}, spacing
 * commands, \left/\right, and \frac{a}{b} written as a/b. Models box answers in all of these.
 */
export function stripLatex(span: string): string {
  let s = span.trim();
  for (let previous = ""; previous !== s;) {
    previous = s;
    s = s
      .replace(/^\$\$([\s\S]*)\$\$$/, "$1")
      .replace(/^\$([^$]*)\$$/, "$1")
      .replace(/^\\\(([\s\S]*)\\\)$/, "$1")
      .replace(/^\\\[([\s\S]*)\\\]$/, "$1")
      .replace(/\\(?:text|textbf|textit|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}/g, "$1")
      .replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "$1/$2")
      .replace(/\\[dt]?frac(\d)(\d)/g, "$1/$2")
      .trim();
  }
  return s
    .replace(/\{,\}/g, ",")
    .replace(/\\[,;:! ]/g, " ")
    .replace(/\\(?:left|right)\b/g, "")
    .replace(/\\%/g, "%")
    .replace(/\\\$/g, "$")
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ/g, "°")
    .replace(/\\(?:times|cdot)/g, "×")
    .trim();
}

/** The contents of every `\boxed{...}` / `\fbox{...}` in order, with nested braces matched. */
export function boxedContents(text: string): string[] {
  const out: string[] = [];
  const re = /\\(?:boxed|fbox)\s*\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let depth = 1;
    let i = re.lastIndex;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    }
    if (depth === 0) out.push(text.slice(re.lastIndex, i - 1).trim());
    re.lastIndex = i;
  }
  return out;
}
