// Copies what tsc does not emit (browser scripts, worker .mjs files) from src/ to dist/ (or the folder
// given as the first argument), keeping paths.
import { cpSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "src");
const dist = process.argv[2] ? resolve(process.argv[2]) : join(root, "dist");
let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || /\.(ts|tsx)$/.test(entry.name)) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(dist, relative(src, from)));
  copied++;
}
console.log(`copied ${copied} asset files into ${relative(process.cwd(), dist) || "."}`);
