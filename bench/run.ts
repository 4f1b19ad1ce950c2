/**
 * Runs every benchmark in one process, one after another, and writes their figures to
 * bench/results/latest.json. Each benchmark measures its own baseline in the same run and reports
 * ratios, because the machines are shared and noisy. `npm run bench -- proxy consistency` runs some.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benches = [
  "startup",
  "provider-overhead",
  "consistency",
  "cascade",
  "proxy",
  "retrieval",
  "sandbox",
  "codet",
  "eval",
  "eval-workers",
  "tune",
  "soak",
  "slow-senders",
  "gateway",
  "think",
  "responses-api",
  "stores",
  "scale-proxy",
];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !benches.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${benches.join(", ")}`);
  process.exit(2);
}

const results: Record<string, unknown> = {};
for (const name of wanted.length ? wanted : benches) {
  console.log(`\n=== ${name} ===`);
  const mod = (await import(`./${name}.ts`)) as { run: () => Promise<unknown> };
  const started = performance.now();
  results[name] = await mod.run();
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
const out = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(
  `${out}latest.json`,
  JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2),
);
console.log(`\nfigures written to bench/results/latest.json`);
