import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
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
evalStoreContract("SQLite", async () => EvalStore.open({ path: join(dir, `contract-${files++}.sqlite`) }));
