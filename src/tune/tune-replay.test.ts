import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after } from "node:test";
import { sharedReplay } from "../testing/shared-replay.ts";
import { evaluate } from "../eval/evaluate.ts";
import { EvalStore } from "../eval/eval-store.ts";
import { runKey } from "../eval/run-eval.ts";
import { replayLM } from "../providers/replay/replay-lm.ts";
import { defaultRegistry } from "../techniques/registry.ts";
import { tune } from "./tune.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-tune-replay-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const shared = sharedReplay("cruxeval-output.codellama-7b.bank.jsonl");
const { path: bank, test } = shared;
const model = `replay:${bank}`;
const lm = shared.skip ? (undefined as never) : replayLM({ bank });
const env = {
  registry: defaultRegistry(),
  resolveModel: (spec: string) => (spec === model ? lm : assert.fail(`unexpected model ${spec}`)),
};
const sweep = ["self-consistency(n={1,3,5,10})", "adaptive-consistency"];

test("on the CRUXEval bank the tuner returns the most accurate candidate within the token budget", async () => {
  const result = await tune({
    data: bank,
    model,
    env,
    candidates: sweep,
    space: { discover: false },
    answer: "literal",
    limit: 240,
    budget: { tokens_per_question: 130 },
    results: join(dir, "budget.sqlite"),
  });
  const best = result.best!;
  assert.ok(best.compute.tokens <= 130, `the winner spends ${best.compute.tokens} tokens/question`);
  assert.notEqual(best.technique, "self-consistency(n=10)");
  const n10 = result.leaderboard.find((e) => e.technique === "self-consistency(n=10)")!;
  assert.equal(n10.withinBudget, false);
  assert.equal(n10.dropped?.reason, "budget");
  assert.ok(n10.compute.tokens > 130);
  // Nothing that reached the whole dev set within the budget is more accurate than the winner.
  for (const e of result.leaderboard.filter((x) => x.questions === best.questions && x.withinBudget))
    assert.ok(e.accuracy <= best.accuracy, e.technique);
  assert.ok(
    best.spec.startsWith("self-consistency(") && best.spec.endsWith(`answer=literal)@${model}`),
    `the spec is canonical, votes as graded and names the model: ${best.spec}`,
  );
});

test("where voting over ten samples is best, only a budget too small for it keeps the tuner from picking it", async () => {
  // Questions where ten votes fix the first sample, and some both get right or both get wrong.
  const scan = await evaluate({
    data: bank,
    model,
    techniques: ["none", "self-consistency(n=10)"],
    answer: "literal",
    results: join(dir, "scan.sqlite"),
    env,
  });
  const store = EvalStore.open({ path: scan.results });
  const [bare, voted] = await Promise.all(
    scan.plans.map(
      async (p) => new Map((await store.results(runKey(scan.dataset.hash, p))).map((r) => [r.question_id, r.correct])),
    ),
  );
  await store.close();
  const ids = [...bare!.keys()];
  const fixed = ids.filter((id) => voted!.get(id) && !bare!.get(id));
  const both = ids.filter((id) => voted!.get(id) && bare!.get(id)).slice(0, 4);
  const neither = ids.filter((id) => !voted!.get(id) && !bare!.get(id)).slice(0, 4);
  assert.ok(fixed.length >= 2, `voting fixes ${fixed.length} questions of the bank`);
  const chosen = new Set([...fixed, ...both, ...neither]);
  const data = join(dir, "votes-help.jsonl");
  writeFileSync(
    data,
    readFileSync(bank, "utf8")
      .split("\n")
      .filter((line) => line.trim() && chosen.has(JSON.parse(line).id))
      .join("\n") + "\n",
  );

  const options = {
    data,
    model,
    env,
    candidates: ["none", "self-consistency(n=10)"],
    space: { discover: false },
    answer: "literal",
    results: join(dir, "votes.sqlite"),
  };
  const free = await tune(options);
  assert.equal(free.best!.technique, "self-consistency(n=10)");
  assert.ok(free.best!.accuracy > free.leaderboard.find((e) => e.technique === "none")!.accuracy);
  const tight = await tune({ ...options, budget: { tokens_per_question: 130 } });
  assert.equal(tight.best!.technique, "none");
  assert.ok(tight.best!.compute.tokens <= 130);
  assert.equal(tight.evaluated, 0, "the second run reuses every result of the first");
});
