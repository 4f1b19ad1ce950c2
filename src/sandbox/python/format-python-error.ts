/**
 * A Python traceback cut to what the model needs: the program's own frames and the final
 * `Type: message` line, without Pyodide's internal frames; the line number is kept.
 */
export function formatPythonError({ message, type }: { message: string; type?: string }): string {
  const lines = message.replace(/\r\n?/g, "\n").trimEnd().split("\n");
  const first = lines.findIndex((l) => /File "program\.py"/.test(l));
  const last = lines.at(-1)?.trim() ?? "";
  const where = first >= 0 ? lines.slice(first, -1).filter((l) => !/^\s*[~^]+\s*$/.test(l)) : [];
  const line = [...where]
    .reverse()
    .map((l) => /File "program\.py", line (\d+)/.exec(l))
    .find(Boolean)?.[1];
  const head = last || type || "Error";
  const at = line && !head.includes(`line ${line}`) ? ` (line ${line})` : "";
  return where.length ? `${head}${at}\nTraceback (program frames):\n${where.join("\n")}` : `${head}${at}`;
}
