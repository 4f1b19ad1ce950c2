import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { UnrecoverableError } from "bullmq";
import { EvalStore } from "../eval-store.ts";
import { checkJobStore } from "./check-job-store.ts";
import type { EvalJob } from "./eval-job.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-job-store-"));
const store = EvalStore.open({ path: join(dir, "eval.sqlite") });
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const job = (named?: EvalJob["store"]) =>
  ({
    v: 1,
    dataset: "d",
    technique: "none",
    model: "openai:m",
    canonical: "none",
    ...(named ? { store: named } : {}),
    record: { id: "q1", question: "?", answer: "1", line: 1 },
  }) as EvalJob;

test("a job naming the worker's own store, or none (an older submitter's), passes", async () => {
  await checkJobStore(job({ id: await store.identity(), where: "/another/path/to/it.sqlite" }), store);
  await checkJobStore(job(), store);
});

test("a job naming another store is refused for good, naming both sides", async () => {
  const id = await store.identity();
  await assert.rejects(
    checkJobStore(job({ id: "0e1d2c3b", where: "postgres://lmx:***@db/lmx" }), store),
    (e: Error) =>
      e instanceof UnrecoverableError &&
      e.message ===
        `this worker saves results to ${store.path} (store ${id}), but the submitter reads postgres://lmx:***@db/lmx (store 0e1d2c3b), so it would never see them: point both at the same store (the same LMX_STORE or "store" database, or the same --results file)`,
  );
  await assert.rejects(checkJobStore(job({ id: "0e1d2c3b", where: store.path }), store), (e: Error) =>
    e.message.includes(`(store 0e1d2c3b, another store of the same name)`),
  );
});
