import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { lastUserText } from "../core/messages.ts";
import type { ChatRequest } from "../core/types.ts";
import { scoreAnswer } from "../eval/score-answer.ts";
import { z } from "zod";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { allTechniques } from "../techniques/all.ts";
import { defineTechnique } from "../techniques/define-technique.ts";
import { loadDemos, withDemos, type Demo } from "../techniques/prompting/index.ts";
import { createRegistry, defaultRegistry } from "../techniques/registry.ts";
import { tune, type TuneOptions } from "./tune.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-tune-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// A task where demonstrations are what helps: with two or more worked examples the model always
// answers right, with one half the time, alone 30% of the time (its wrong answers scattered).
const codeOf = (i: number) => (i * 37) % 101;
const question = (i: number) => `Item ${i}: what is the secret code of item ${i}?`;
const data = join(dir, "items.jsonl");
writeFileSync(
  data,
  Array.from({ length: 64 }, (_, k) =>
    JSON.stringify({ id: `item-${k + 1}`, question: question(k + 1), answer: String(codeOf(k + 1)) }),
  ).join("\n") + "\n",
);
const demos = [900, 901, 902].map((i) => ({
  question: question(i),
  answer: `Working it out. The answer is ${codeOf(i)}.`,
}));

function demosShown(request: ChatRequest): number {
  const last = request.messages.findLastIndex((m) => m.role === "user");
  return request.messages.slice(0, last).filter((m) => m.role === "assistant").length;
}

function answer(request: ChatRequest, sampleIndex: number): string {
  const text = lastUserText(request);
  if (text.includes("rewrites of this template"))
    return 'Here you go:\n["Look again at: {question}", "No placeholder here", "Re-read carefully: {question}"]';
  const i = Number(/Item (\d+)/.exec(text)![1]);
  const h = ((Math.imul(i, 2654435761) ^ Math.imul(sampleIndex + 1, 40503)) >>> 0) % 100;
  const shown = demosShown(request);
  const right = shown >= 2 || (shown === 1 ? h % 2 === 0 : h % 10 < 3);
  return `Working it out. The answer is ${right ? codeOf(i) : codeOf(i) + 1 + (h % 5)}.`;
}

function setup() {
  const lm = scriptedLM((request, { sampleIndex }) => answer(request, sampleIndex));
  const options = (results: string, extra: Partial<TuneOptions> = {}): TuneOptions => ({
    data,
    model: "scripted:test",
    candidates: ["none", "self-consistency(n={3,5})", "re2", `few-shot(demos=${JSON.stringify(demos)}, k={1,2,3})`],
    space: { discover: false },
    answer: "number",
    testFraction: 0.25,
    env: { registry: defaultRegistry(), resolveModel: () => lm },
    results: join(dir, results),
    ...extra,
  });
  return { lm, options };
}

test("successive halving picks the full grid's winner with fewer question-runs, and reports held-out accuracy", async () => {
  const { lm, options } = setup();
  const halving = await tune(options("halving.sqlite"));
  const grid = await tune(options("grid.sqlite", { strategy: "grid" }));
  assert.equal(halving.space.candidates, 7);
  assert.deepEqual(halving.split, { dev: 48, test: 16, train: 0 });
  assert.equal(
    grid.evaluated,
    7 * 48 + 16,
    "the grid evaluates every candidate on every dev question, then the winner on the test questions",
  );
  assert.ok(halving.evaluated < grid.evaluated * 0.6, `halving evaluated ${halving.evaluated} question-runs`);
  assert.deepEqual(
    halving.rounds.map((r) => r.questions),
    [12, 24, 48],
  );
  assert.deepEqual(
    halving.rounds.map((r) => r.candidates <= Math.ceil(7 / 2 ** (r.round - 1))),
    [true, true, true],
    "about half go on each round",
  );
  for (const e of halving.leaderboard.filter((x) => x.dropped))
    assert.ok(["halved", "worse"].includes(e.dropped!.reason), `${e.technique}: ${e.dropped!.reason}`);

  // Two demos are enough for every answer: k=2 wins (k=3 ties, and costs more).
  assert.match(halving.best!.technique, /^few-shot\(.*k=2\)$/);
  assert.equal(halving.best!.technique, grid.best!.technique);
  assert.equal(halving.best!.accuracy, 1);
  assert.equal(halving.best!.questions, 48);
  assert.ok(halving.best!.spec.endsWith("@scripted:test"));
  assert.ok(halving.leaderboard.find((e) => e.technique === "none")!.accuracy < 0.6);
  assert.equal(halving.leaderboard.filter((e) => e.winner).length, 1);
  // The frontier compares only candidates measured on the same (whole) dev set.
  assert.ok(grid.frontier.every((e) => e.questions === 48));
  for (const t of ["none", grid.best!.technique])
    assert.ok(
      grid.frontier.some((e) => e.technique === t),
      `${t}: the cheapest, and the cheapest perfect one`,
    );
  assert.ok(
    !grid.frontier.some((e) => e.technique.endsWith("])")),
    "k=3 is as accurate as k=2 for more tokens: dominated",
  );
  assert.ok(halving.frontier.every((e) => e.questions === 48) && halving.frontier.some((e) => e.winner));

  // The winner alone meets the held-out questions; during selection nobody saw them.
  assert.deepEqual(halving.best!.heldOut, { accuracy: 1, ci95: halving.best!.heldOut!.ci95, correct: 16, total: 16 });
  const asked = (shown: number) =>
    new Set(lm.calls.filter((c) => demosShown(c) === shown).map((c) => /Item (\d+)/.exec(lastUserText(c))![1]));
  const devAndTest = asked(2);
  const others = new Set([...asked(0), ...asked(1)]);
  assert.equal(devAndTest.size, 64, "the winner answered all dev and test questions");
  assert.equal(others.size, 48, "every other candidate only dev questions");
});

test("rerunning resumes: finished questions come from the results file, interrupted ones are finished", async () => {
  const { lm, options } = setup();
  const first = await tune(options("resume.sqlite"));
  const calls = lm.calls.length;
  const again = await tune(options("resume.sqlite"));
  assert.equal(again.evaluated, 0);
  assert.equal(lm.calls.length, calls, "no model call at all");
  assert.equal(again.reused, first.evaluated + first.reused);
  assert.deepEqual(again.best, first.best);

  // Interrupt a fresh run midway, then run it again: every question-run is evaluated exactly once.
  const abort = new AbortController();
  let saved = 0;
  const interrupted = options("interrupted.sqlite", {
    signal: abort.signal,
    onProgress: (p) => {
      if (p.type === "run-progress" && ++saved === 40) abort.abort();
    },
  });
  await assert.rejects(
    tune(interrupted),
    (e) => AbortedError.isInstance(e) && /run the same command again/.test(e.message),
  );
  const resumed = await tune(options("interrupted.sqlite"));
  assert.equal(saved + resumed.evaluated, first.evaluated);
  assert.deepEqual(resumed.best, first.best);
});

test("bootstrapped demonstrations are the teacher's correctly graded full responses to training questions", async () => {
  const { options } = setup();
  const result = await tune(
    options("bootstrap.sqlite", {
      candidates: ["none", "self-consistency(n=3)"],
      bootstrap: { demos: 3, questions: 16, dir: join(dir, "tuned") },
    }),
  );
  const boot = result.demos!;
  assert.equal(result.split.train, 16);
  assert.equal(boot.tried, 16);
  assert.ok(boot.correct >= 2 && boot.correct < boot.tried, `the teacher got ${boot.correct} of ${boot.tried} right`);
  assert.match(boot.path!, /tuned[/\\]demos-[0-9a-f]{12}\.json$/);
  const written = JSON.parse(readFileSync(boot.path!, "utf8")) as { id: string; question: string; answer: string }[];
  assert.equal(written.length, Math.min(3, boot.correct));
  for (const d of written) {
    const i = Number(/Item (\d+)/.exec(d.question)![1]);
    assert.equal(d.id, `item-${i}`);
    assert.equal(d.question, question(i));
    assert.equal(d.answer, `Working it out. The answer is ${codeOf(i)}.`, "the full response, not just the answer");
    assert.ok(scoreAnswer({ text: d.answer, gold: String(codeOf(i)), kind: "number" }).correct);
  }
  const fewShot = result.leaderboard.filter((e) => e.origin === "bootstrap");
  assert.ok(fewShot.length >= 2);
  assert.ok(fewShot.every((e) => e.technique.startsWith(`few-shot(demos=${boot.path}`)));
  assert.match(result.best!.technique, /^few-shot\(/, "two demonstrations beat everything else on this task");
});

test("--propose-prompts adds the model's rewrites of an instruction as candidates; rewrites that lose a placeholder are skipped", async () => {
  const { lm, options } = setup();
  const result = await tune(options("propose.sqlite", { candidates: ["re2"], propose: { prompts: 3 } }));
  assert.deepEqual(result.proposals, { added: 2, failures: [] });
  assert.deepEqual(
    result.leaderboard.map((e) => e.technique).sort(),
    [
      "re2",
      're2(reread_prompt="Look again at: {question}")',
      're2(reread_prompt="Re-read carefully: {question}")',
    ].sort(),
  );
  assert.ok(result.space.skipped.some((s) => s.technique.includes("No placeholder here")));
  assert.ok(
    lm.calls.some((c) => lastUserText(c).includes("Look again at: Item")),
    "the proposed instruction was used",
  );
  const meta = lm.calls.find((c) => lastUserText(c).includes("rewrites of this template"))!;
  assert.match(lastUserText(meta), /Read the question again: \{question\}/, "the proposer saw the current instruction");
});

// A demonstrations technique that is not few-shot: the tuner must find its slot from its declaration.
const exemplars = defineTechnique({
  name: "exemplars",
  family: "prompting",
  paper: "Brown et al. 2020, Language Models are Few-Shot Learners",
  description: "Shows worked examples first.",
  options: z.strictObject({
    examples: z.union([z.string(), z.array(z.object({ question: z.string(), answer: z.string() }))]).default([]),
    shots: z.int().min(1).max(8).default(1),
  }),
  tunables: { knobs: ["shots"], demos: { option: "examples", count: "shots" } },
  run(run, o) {
    const all: Demo[] = typeof o.examples === "string" ? loadDemos({ path: o.examples }) : o.examples;
    return run.inner.complete(withDemos({ request: run.request, demos: all.slice(0, o.shots) }), run.ctx);
  },
});

test("demonstrations are one tunable among others: they fill whichever technique declares a demos slot", async () => {
  const { lm, options } = setup();
  const registry = createRegistry([...allTechniques.filter((f) => f.definition.name !== "few-shot"), exemplars]);
  const result = await tune(
    options("exemplars.sqlite", {
      candidates: ["none", "self-consistency(n=3) > exemplars(shots=2)"],
      env: { registry, resolveModel: () => lm },
      bootstrap: { demos: 3, questions: 16, dir: join(dir, "tuned-exemplars") },
    }),
  );
  const path = result.demos!.path!;
  const boot = result.leaderboard.filter((e) => e.origin === "bootstrap").map((e) => e.technique);
  // Alone, over its count knob's values below the demos found, and all of them.
  assert.ok(
    boot.includes(`exemplars(examples=${path})`) && boot.includes(`exemplars(examples=${path}, shots=3)`),
    boot.join("; "),
  );
  assert.ok(
    boot.includes(`self-consistency(n=3) > exemplars(examples=${path}, shots=2)`),
    "a given candidate's open demos slot is filled in",
  );
  assert.ok(!boot.some((t) => t.includes("few-shot")));
  assert.match(
    result.best!.technique,
    new RegExp(`exemplars\\(examples=${path.replace(/[.\\/]/g, "\\$&")}, shots=[23]\\)`),
  );
});

test("reasoning effort is searched next to the techniques: the tuner picks the effort that answers better", async () => {
  // High effort always answers right; low effort 30% of the time.
  const lm = scriptedLM((request, { sampleIndex }) => {
    const i = Number(/Item (\d+)/.exec(lastUserText(request))![1]);
    const h = ((Math.imul(i, 2654435761) ^ Math.imul(sampleIndex + 1, 40503)) >>> 0) % 100;
    const right = request.reasoning_effort === "high" || h % 10 < 3;
    return `The answer is ${right ? codeOf(i) : codeOf(i) + 1 + (h % 5)}.`;
  });
  const result = await tune({
    data,
    model: "scripted:test",
    candidates: ["none", "self-consistency(n=3)"],
    space: { discover: false, reasoningEfforts: ["low", "high"] },
    answer: "number",
    env: { registry: defaultRegistry(), resolveModel: () => lm },
    results: join(dir, "effort.sqlite"),
  });
  assert.equal(result.best!.reasoningEffort, "high");
  assert.match(result.best!.spec, /reasoning-effort\(effort=high\)@scripted:test$/);
  assert.deepEqual(result.leaderboard.map((e) => e.reasoningEffort).sort(), ["high", "high", "low", "low"]);
  assert.ok(result.leaderboard.filter((e) => e.reasoningEffort === "low").every((e) => e.accuracy < 0.7));
  const sent = new Set(lm.calls.map((c) => c.reasoning_effort));
  assert.deepEqual([...sent].sort(), ["high", "low"], "every call to the model carried an effort");
});
