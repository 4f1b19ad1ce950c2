import assert from "node:assert/strict";
import { test } from "node:test";
import { formatEvalTable } from "./format-eval-table.ts";
import { paretoFrontier } from "./pareto-frontier.ts";
import { summarizeRun } from "./summarize-run.ts";

test("the frontier keeps runs no other run beats on both accuracy and compute", () => {
  const points = [
    { compute: 100, accuracy: 0.5 }, // cheapest: on it
    { compute: 200, accuracy: 0.45 }, // dearer and worse than the first: off
    { compute: 300, accuracy: 0.6 }, // better for more: on
    { compute: 300, accuracy: 0.55 }, // same compute, worse: off
    { compute: 800, accuracy: 0.6 }, // same accuracy for more: off
    { compute: 900, accuracy: 0.7 }, // best: on
  ];
  assert.deepEqual(paretoFrontier(points), [true, false, true, false, false, true]);
  assert.deepEqual(
    paretoFrontier([
      { compute: 1, accuracy: 0.5 },
      { compute: 1, accuracy: 0.5 },
    ]),
    [true, true],
    "ties are both kept",
  );
});

test("the terminal table marks the frontier and measures compute in tokens, or dollars once anything costs", () => {
  const result = (correct: boolean, tokens: number, cost = 0) => ({
    question_id: "x",
    correct,
    gold: "1",
    text: "",
    latency_ms: 10,
    calls: 1,
    samples: 1,
    prompt_tokens: tokens,
    completion_tokens: 0,
    cost_usd: cost,
  });
  const cheap = summarizeRun({ technique: "cheap", model: "m", results: [result(true, 10), result(false, 10)] });
  const dear = summarizeRun({ technique: "dear", model: "m", results: [result(true, 100), result(false, 100)] });
  const best = summarizeRun({ technique: "best", model: "m", results: [result(true, 50), result(true, 50)] });
  const table = formatEvalTable({ runs: [cheap, dear, best] });
  const line = (name: string) => table.split("\n").find((l) => l.includes(` ${name} `))!;
  assert.match(line("cheap"), /^\*/);
  assert.match(line("dear"), /^ /);
  assert.match(line("best"), /^\*.*100\.0%.*2\/2/);
  assert.match(table, /tokens per question/);
  const paid = summarizeRun({ technique: "paid", model: "m", results: [result(true, 10, 0.5)] });
  assert.match(formatEvalTable({ runs: [cheap, paid] }), /cost per question \(USD\)/);
});
