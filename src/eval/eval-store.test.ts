import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { evalStoreContract } from "./eval-store.contract.ts";
import { EvalStore } from "./eval-store.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-eval-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a results file that is not one is refused untouched, and the error names the option that picks another file", () => {
  const path = join(dir, "notes.jsonl");
  writeFileSync(path, '{"id": "q1", "question": "?", "answer": "1"}\n');
  assert.throws(
    () => EvalStore.open({ path }),
    (e) =>
      ConfigurationError.isInstance(e) &&
      /is not a readable SQLite database/.test(e.message) &&
      /point --results at another file/.test(e.message),
  );
  assert.equal(readFileSync(path, "utf8"), '{"id": "q1", "question": "?", "answer": "1"}\n');
});

let files = 0;
evalStoreContract("SQLite", {
  open: async () => EvalStore.open({ path: join(dir, `contract-${files++}.sqlite`) }),
  // The same file through its folder and through a symbolic link to that folder.
  async place() {
    const folder = join(dir, `place-${files++}`);
    mkdirSync(folder);
    symlinkSync(folder, `${folder}-link`);
    return async (nth) => EvalStore.open({ path: join(nth % 2 ? `${folder}-link` : folder, "eval.sqlite") });
  },
});

test("a results file from before identities gets one on open, its results untouched", async () => {
  const path = join(dir, "older.sqlite");
  const key = { dataset: "d", model: "m", technique: "none" };
  const result = { question_id: "q1", correct: true, gold: "1", text: "1", calls: 1, samples: 1 };
  const saved = { ...result, prompt_tokens: 1, completion_tokens: 1, cost_usd: 0, latency_ms: 1 };
  const older = EvalStore.open({ path });
  await older.save(key, saved);
  await older.close();
  const raw = new Database(path);
  assert.deepEqual(raw.prepare("SELECT key FROM meta").pluck().all(), [], "as a file written before identities");
  raw.close();
  const store = EvalStore.open({ path });
  try {
    const id = await store.identity();
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await store.results(key), [saved]);
  } finally {
    await store.close();
  }
});

test("processes opening a new results file at the same moment all read one identity", async () => {
  const path = join(dir, "raced.sqlite");
  const helper = fileURLToPath(new URL("./testing/print-store-identity.ts", import.meta.url));
  const at = String(Date.now() + 1_500);
  const runs = [1, 2, 3, 4].map(() => promisify(execFile)(process.execPath, ["--import", "tsx", helper, path, at]));
  const ids = (await Promise.all(runs)).map((r) => r.stdout.trim());
  assert.equal(ids.length, 4);
  assert.match(ids[0]!, /^[0-9a-f-]{36}$/);
  assert.deepEqual(new Set(ids), new Set([ids[0]]), `ids: ${ids.join(", ")}`);
  const store = EvalStore.open({ path });
  assert.equal(await store.identity(), ids[0]);
  await store.close();
});
