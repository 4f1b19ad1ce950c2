import { lstat, readdir, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";

/** Folders never indexed: dependencies, version control, lmx's own data. */
const SKIPPED_FOLDERS = new Set([
  "node_modules",
  ".git",
  ".hg",
  ".svn",
  ".lmx",
  "__pycache__",
  ".venv",
  ".tox",
  ".mypy_cache",
  ".pytest_cache",
]);

/** Extensions of files that are binary for sure (saves reading them). */
const BINARY_EXTENSIONS = new Set(
  (
    ".png .jpg .jpeg .gif .bmp .ico .webp .tiff .pdf .zip .gz .tgz .bz2 .xz .7z .rar .tar .jar .war .class .o .a .so .dylib .dll .exe " +
    ".wasm .node .bin .dat .db .sqlite .sqlite3 .gguf .safetensors .pt .onnx .npy .npz .parquet .mp3 .mp4 .wav .ogg .flac .mov .avi .mkv " +
    ".woff .woff2 .ttf .otf .eot .psd .xcf .pyc"
  ).split(" "),
);

export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface WalkFilesOptions {
  /** Files and folders; folders are walked recursively. */
  paths: readonly string[];
  /** Files larger than this are skipped (bytes). */
  maxFileBytes: number;
  /** Files never to index (absolute paths), e.g. the index itself. */
  exclude?: ReadonlySet<string>;
}

/**
 * The files under `paths`, sorted, without dependency and VCS folders, symlinked folders (unless
 * named in `paths`), known binary formats and files over the size limit (those are reported as
 * skipped, as are paths that cannot be read: a broken link, a folder without permission). Paths are
 * absolute. `unreadable` lists what could not be read, so that what the index holds there is kept.
 */
export async function walkFiles(
  options: WalkFilesOptions,
): Promise<{ files: FoundFile[]; skipped: SkippedFile[]; unreadable: string[] }> {
  const files: FoundFile[] = [];
  const skipped: SkippedFile[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  const cannotRead = (path: string, error: unknown, what = "") => {
    unreadable.push(path);
    skipped.push({
      path,
      reason: `${what}unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    });
  };

  const visitFile = async (path: string, explicit: boolean) => {
    if (seen.has(path) || options.exclude?.has(path)) return;
    seen.add(path);
    if (!explicit && BINARY_EXTENSIONS.has(extname(path).toLowerCase()))
      return void skipped.push({ path, reason: "binary file" });
    const info = await stat(path).catch((error: unknown) => void cannotRead(path, error));
    if (!info) return;
    if (info.size > options.maxFileBytes)
      return void skipped.push({ path, reason: `larger than ${options.maxFileBytes} bytes` });
    files.push({ path, size: info.size, mtimeMs: info.mtimeMs });
  };

  const visitFolder = async (folder: string) => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(
      (error: unknown) => void cannotRead(folder, error, "folder "),
    );
    if (!entries) return;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) await visitFolder(path);
      } else if (entry.isFile()) await visitFile(path, false);
      else if (entry.isSymbolicLink()) {
        // Linked files are indexed; linked folders are not followed (they can loop).
        const target = await stat(path).catch(() => undefined);
        if (target?.isFile()) await visitFile(path, false);
      }
    }
  };

  for (const given of options.paths) {
    const path = resolve(given);
    // A path the user names is followed even when it is a link (to a file or a folder).
    const info = await stat(path).catch(async (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") cannotRead(path, error);
      else skipped.push({ path, reason: (await lstat(path).catch(() => undefined)) ? "broken link" : "not found" });
      return undefined;
    });
    if (!info) continue;
    if (info.isDirectory()) await visitFolder(path);
    else await visitFile(path, true);
  }
  return { files, skipped, unreadable };
}

/** Whether file content is binary: a NUL byte, or mostly invalid UTF-8, in its first 8 KB. */
export function looksBinary(content: Buffer): boolean {
  const head = content.subarray(0, 8192);
  if (head.includes(0)) return true;
  const text = head.toString("utf8");
  let bad = 0;
  for (const ch of text) if (ch === "\uFFFD") bad++;
  return bad > 8 && bad / text.length > 0.05;
}
