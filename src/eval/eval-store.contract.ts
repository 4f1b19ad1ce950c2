import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../core/context.ts";
import type { SpanJSON } from "../trace/span.ts";
import type { EvalStore, QuestionResult, RunKey } from "./eval-store.ts";

/** Opens an empty results store of one backend; each test closes what it opened. */
export type OpenEvalStore = () => Promise<EvalStore>;

/**
 * A place no store was opened at yet (a new file, a new database) and how to open the store there:
 * each call opens it anew, as another process would, addressed the `nth` way (another path to the
 * same file, another URL of the same database). The backend's test file removes it after.
 */
export type NewEvalStorePlace = () => Promise<(nth: number) => Promise<EvalStore>>;

export interface EvalStoreBackend {
  open: OpenEvalStore;
  place: NewEvalStorePlace;
}

const key: RunKey = { dataset: "sha-1", model: "openai:m", technique: "self-consistency(n=3)" };

/** A result; fields given as undefined are left out, as a stored row gives them back. */
function result(id: string, extra: Partial<QuestionResult> = {}): QuestionResult {
  const full: QuestionResult = {
    question_id: id,
    correct: true,
    answer: "4",
    gold: "4",
    text: `The answer is 4 (${id})`,
    finish_reason: "stop",
    calls: 3,
    samples: 3,
    prompt_tokens: 120,
    completion_tokens: 30,
    cost_usd: 0.0125,
    latency_ms: 812.5,
    trace_id: `trace-${id}`,
    ...extra,
  };
  return Object.fromEntries(Object.entries(full).filter(([, v]) => v !== undefined)) as unknown as QuestionResult;
}

function trace(name: string): SpanJSON {
  const ctx = createRunContext({ name });
  ctx.span.child("openai:m", "lm", { output: ["x".repeat(2000)] }).finish();
  ctx.span.finish();
  return JSON.parse(JSON.stringify(ctx.span.toJSON())) as SpanJSON;
}

/** What every eval results backend must do; each backend's test file runs it (eval-store.test.ts, pg-eval-store.test.ts). */
export function evalStoreContract(backend: string, { open, place }: EvalStoreBackend): void {
  test(`${backend} eval results: saved rows come back in question order; a rerun replaces; errors are not finished`, async () => {
    const store = await open();
    try {
      await store.save(key, result("q2"), trace("q2"));
      await store.save(key, result("q10", { correct: false, answer: undefined, error: "upstream 500" }));
      await store.save(key, result("q1", { finish_reason: undefined, trace_id: undefined }));
      await store.save({ ...key, technique: "none" }, result("q1", { correct: false }));
      assert.deepEqual(
        (await store.results(key)).map((r) => r.question_id),
        ["q1", "q10", "q2"],
      );
      const [q1, q10, q2] = await store.results(key);
      assert.deepEqual(q1, result("q1", { finish_reason: undefined, trace_id: undefined }));
      assert.deepEqual(q10, result("q10", { correct: false, answer: undefined, error: "upstream 500" }));
      assert.deepEqual(q2, result("q2"));
      assert.deepEqual([...(await store.finished(key))].sort(), ["q1", "q2"]);
      await store.save(key, result("q10"));
      assert.deepEqual([...(await store.finished(key))].sort(), ["q1", "q10", "q2"]);
      assert.equal((await store.results({ ...key, technique: "none" }))[0]!.correct, false, "runs are kept apart");
      assert.deepEqual(await store.results({ ...key, dataset: "other" }), []);
    } finally {
      await store.close();
      await store.close();
    }
  });

  test(`${backend} eval results: traces by question, all of a run (paged), and by trace id prefix`, async () => {
    const store = await open();
    try {
      const saved = new Map<string, SpanJSON>();
      for (let i = 0; i < 120; i++) {
        const id = `q${String(i).padStart(3, "0")}`;
        saved.set(id, trace(id));
        await store.save(key, result(id, { trace_id: `t_${id}` }), saved.get(id));
      }
      await store.save(key, result("no-trace"));
      assert.deepEqual(await store.trace(key, "q007"), saved.get("q007"));
      assert.equal(await store.trace(key, "no-trace"), undefined);
      assert.equal(await store.trace(key, "absent"), undefined);
      const walked = new Map<string, SpanJSON>();
      for await (const [id, span] of store.traces(key)) walked.set(id, span);
      assert.equal(walked.size, 120);
      assert.deepEqual(walked.get("q119"), saved.get("q119"));
      assert.deepEqual(await store.findTraces("t_q007"), [saved.get("q007")]);
      assert.equal((await store.findTraces("t_q00", 3)).length, 3);
      assert.deepEqual(await store.findTraces("%"), [], "LIKE wildcards are taken literally");
      assert.deepEqual(await store.findTraces("t%q007"), []);
    } finally {
      await store.close();
    }
  });

  test(`${backend} eval results: one store has one identity however it is addressed, another store another`, async () => {
    const openAt = await place();
    const [first, second] = [await openAt(0), await openAt(1)];
    assert.notEqual(first.path, second.path, "the same store, addressed two ways");
    const other = await (await place())(0);
    try {
      const id = await first.identity();
      assert.equal(typeof id, "string");
      assert.ok(id.length >= 16, `an id no other store will draw: ${id}`);
      assert.equal(await second.identity(), id);
      assert.equal(await first.identity(), id);
      assert.notEqual(await other.identity(), id);
      await second.save(key, result("q1"));
      await Promise.all([first.close(), second.close()]);
      const again = await openAt(1);
      try {
        assert.equal(await again.identity(), id, "kept in the store itself");
        assert.deepEqual(await again.results(key), [result("q1")]);
      } finally {
        await again.close();
      }
    } finally {
      await Promise.all([first.close(), second.close(), other.close()]);
    }
  });

  test(`${backend} eval results: processes opening a new store at once agree on its identity`, async () => {
    const openAt = await place();
    const stores = await Promise.all([0, 1, 2, 3].map((nth) => openAt(nth)));
    try {
      const ids = await Promise.all(stores.map((s) => s.identity()));
      assert.equal(new Set(ids).size, 1, `ids: ${ids.join(", ")}`);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
}
