/** How far a download has come. */
export interface DownloadProgress {
  /** What is being downloaded, as the user named it (e.g. an `hf:` URI). */
  label: string;
  receivedBytes: number;
  /** Unknown when the server sent no length. */
  totalBytes?: number;
  done: boolean;
}

/**
 * A progress sink that writes to stderr: a redrawn bar when stderr is a terminal, otherwise a plain
 * line every 10% (or every 15 s when the size is unknown), so logs stay readable.
 */
export function stderrDownloadProgress(stream: NodeJS.WriteStream = process.stderr): (p: DownloadProgress) => void {
  let lastDraw = 0;
  let lastDecile = -1;
  let lastLine = 0;
  return (p) => {
    const now = Date.now();
    if (stream.isTTY) {
      if (!p.done && now - lastDraw < 100) return;
      lastDraw = now;
      stream.write(`\r${bar(p)}${p.done ? "\n" : ""}`);
      return;
    }
    const decile = p.totalBytes ? Math.floor((p.receivedBytes / p.totalBytes) * 10) : -1;
    const due = p.totalBytes ? decile > lastDecile : now - lastLine >= 15_000;
    if (!p.done && !due) return;
    lastDecile = decile;
    lastLine = now;
    stream.write(`${p.done ? "downloaded" : "downloading"} ${p.label}: ${amount(p)}\n`);
  };
}

function bar(p: DownloadProgress): string {
  const width = 24;
  if (!p.totalBytes) return `downloading ${p.label} ${mb(p.receivedBytes)}`;
  const filled = Math.round((p.receivedBytes / p.totalBytes) * width);
  return `downloading ${p.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${amount(p)}`;
}

function amount(p: DownloadProgress): string {
  if (!p.totalBytes) return mb(p.receivedBytes);
  const percent = Math.floor((p.receivedBytes / p.totalBytes) * 100);
  return `${percent}% (${mb(p.receivedBytes)} of ${mb(p.totalBytes)})`;
}

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}
