import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import type { EvalRunPlan } from "./plan-eval-runs.ts";
import { createProgressBar } from "./progress-bar.ts";
import type { EvalProgress } from "./run-eval.ts";

function sink() {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d) => (text += d));
  return { out, text: () => text };
}

const plan = { technique: "t", canonical: "t", model: "m" } as EvalRunPlan;
const at = (done: number, total = 20): EvalProgress => ({
  plan,
  run: 0,
  runs: 1,
  done,
  total,
  skipped: 5,
  correct: Math.floor(done / 2),
  errors: 0,
  tokens: done * 1500,
  cost_usd: done * 0.001,
});

test("without a terminal: a plain line at the start and at every tenth, with accuracy, tokens, cost and ETA", () => {
  const s = sink();
  let now = 0;
  const bar = createProgressBar({ out: s.out, tty: false, now: () => now });
  bar.start({ label: "[1/1] t", total: 20, skipped: 5 });
  for (let done = 1; done <= 20; done++) {
    now += 100;
    bar.update(at(done));
  }
  bar.finish();
  const lines = s.text().trimEnd().split("\n");
  assert.equal(lines[0], "[1/1] t 20 questions to do, 5 done before");
  assert.equal(lines.length, 1 + 11, "one line for the first question and one per tenth");
  assert.equal(lines[1], "[1/1] t 1/20 (+5 done before) · acc 0.0% · 1500 tok · $0.0010 · ETA 2s");
  assert.equal(lines.at(-1), "[1/1] t 20/20 (+5 done before) · acc 50.0% · 30.0k tok · $0.0200");
  assert.doesNotMatch(s.text(), /\r|\x1b/);
});

test("on a terminal: one line redrawn in place, at most ten times a second, ended by finish()", () => {
  const s = sink();
  let now = 0;
  const bar = createProgressBar({ out: s.out, tty: true, width: 10, now: () => now });
  bar.start({ label: "run", total: 20, skipped: 0 });
  for (let done = 1; done <= 20; done++) {
    now += 30;
    bar.update(at(done));
  }
  bar.finish();
  const draws = s.text().split("\r\x1b[2K").slice(1);
  assert.ok(draws.length >= 6 && draws.length <= 9, `${draws.length} redraws`);
  assert.equal(draws.at(-1), "run ██████████ 20/20 (+5 done before) · acc 50.0% · 30.0k tok · $0.0200\n");
  assert.ok(draws.slice(0, -1).every((d) => !d.includes("\n")));
  assert.match(draws[1]!, /^run █+░+ \d+\/20/);
});
