import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { canonicalAnswer } from "../answers/index.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { reflexion } from "./reflexion.ts";
import { sharedReplay } from "../../testing/shared-replay.ts";

const ask: ChatRequest = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Name a prime above 90." },
  ],
};
const stage = (r: ChatRequest) => {
  const text = lastUserText(r);
  if (text.startsWith("Check whether the answer")) return "evaluate";
  if (text.includes("diagnose what went wrong")) return "reflect";
  return "attempt";
};

/** Attempt k answers `attempt-k`; reflection k says `lesson-k`. */
function agent(judge: (answer: string) => string = () => "Verdict: FAIL") {
  let attempts = 0;
  let lessons = 0;
  return scriptedLM((r) => {
    const s = stage(r);
    if (s === "attempt") return `attempt-${attempts++}`;
    if (s === "reflect") return `lesson-${lessons++}`;
    return judge(/Answer:\n(attempt-\d+)/.exec(lastUserText(r))![1]!);
  });
}

test("carries the accumulated reflections into later attempts and stops at the first pass", async () => {
  const lm = agent();
  const seen: string[] = [];
  const r = await reflexion(lm, {
    trials: 5,
    evaluator: (answer) => (seen.push(answer), answer === "attempt-2"),
  }).complete(ask);
  assert.equal(resultText(r), "attempt-2");
  assert.deepEqual(seen, ["attempt-0", "attempt-1", "attempt-2"]);
  const attempts = lm.calls.filter((c) => stage(c) === "attempt");
  assert.equal(attempts.length, 3, "no attempt after the pass");
  assert.equal(lm.calls.length, 5, "3 attempts + 2 reflections");
  assert.equal(lastUserText(attempts[0]!), "Name a prime above 90.", "the first attempt is the plain question");
  assert.match(lastUserText(attempts[1]!), /lesson-0/);
  assert.doesNotMatch(lastUserText(attempts[1]!), /lesson-1/);
  assert.match(lastUserText(attempts[2]!), /1\. lesson-0\n2\. lesson-1/);
  assert.ok(attempts.every((c) => lastUserText(c).includes("Name a prime above 90.")));
  assert.ok(lm.calls.every((c) => c.messages[0]!.content === "Be brief." && c.messages.length === 2));
  assert.equal(r.usage.calls, 5);
});

test("the evaluator's feedback reaches the reflection prompt", async () => {
  const lm = agent();
  await reflexion(lm, { trials: 2, evaluator: () => ({ pass: false, feedback: "91 = 7 * 13" }) }).complete(ask);
  const reflect = lm.calls.filter((c) => stage(c) === "reflect");
  assert.equal(reflect.length, 1, "no reflection after the last trial");
  assert.match(lastUserText(reflect[0]!), /91 = 7 \* 13/);
  assert.match(lastUserText(reflect[0]!), /attempt-0/);
});

test("memory keeps only the most recent reflections", async () => {
  const lm = agent();
  await reflexion(lm, { trials: 4, memory: 1, evaluator: () => false }).complete(ask);
  const last = lastUserText(lm.calls.filter((c) => stage(c) === "attempt").at(-1)!);
  assert.match(last, /lesson-2/);
  assert.doesNotMatch(last, /lesson-[01]/);
});

test("self evaluation: the LM judges its own attempts; all failing returns the last attempt", async () => {
  const lm = agent(() => "91 is 7 * 13.\nVerdict: FAIL");
  const ctx = createRunContext();
  const r = await reflexion(lm).complete(ask, ctx);
  assert.equal(resultText(r), "attempt-2");
  // 3 attempts, 3 evaluations, 2 reflections
  assert.equal(lm.calls.length, 8);
  const events = ctx.span.children[0]!.events.map((e) => e.name);
  assert.deepEqual(
    events.filter((e) => e !== "progress"),
    ["attempt", "evaluation", "reflection", "attempt", "evaluation", "reflection", "attempt", "evaluation"],
  );
});

test("self evaluation stops on PASS", async () => {
  const lm = agent((a) => (a === "attempt-1" ? "Verdict: PASS" : "Verdict: FAIL"));
  const r = await reflexion(lm, { trials: 5 }).complete(ask);
  assert.equal(resultText(r), "attempt-1");
  assert.equal(lm.calls.length, 5);
});

test("trials use fresh sample indices", async () => {
  const lm = scriptedLM((r, { sampleIndex }) => (stage(r) === "attempt" ? `s${sampleIndex}` : "same lesson"));
  const r = await reflexion(lm, { trials: 3, memory: 1, evaluator: () => false }).complete(ask);
  assert.equal(resultText(r), "s2");
});

test("a budget stop returns the last attempt with finish_reason budget", async () => {
  const lm = agent();
  const r = await reflexion(lm, { evaluator: () => false }).complete(ask, createRunContext({ budget: { calls: 3 } }));
  assert.equal(resultText(r), "attempt-1");
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(lm.calls.length, 3);
});

test("streams the chosen attempt with usage of every call", async () => {
  const lm = agent((a) => (a === "attempt-1" ? "Verdict: PASS" : "Verdict: FAIL"));
  const { text, result } = await collectStream(reflexion(lm).stream(ask));
  assert.equal(text, "attempt-1");
  assert.equal(result.usage.calls, 5);
});

test("rejects evaluators that are neither self nor a function", () => {
  assert.throws(
    () => reflexion(agent(), { evaluator: "exact" as never }),
    (e) => InvalidRequestError.isInstance(e) && /evaluator/.test(e.message),
  );
  assert.throws(
    () => reflexion(agent(), { retry_prompt: "{question}" }),
    (e) => InvalidRequestError.isInstance(e) && /reflections/.test(e.message),
  );
});

sharedReplay("gsm8k-openai-solutions.jsonl").test(
  "recorded GSM8K solutions: a wrong first attempt, a gold-answer evaluator, a corrected retry",
  async () => {
    // Real model outputs (openai/grade-school-math): the first problem where GPT-3 6B is wrong and 175B+verifier right.
    const bank = new URL("../../../../shared/replay/gsm8k-openai-solutions.jsonl", import.meta.url);
    type Row = { question: string; ground_truth: string } & Record<string, { is_correct: boolean; solution: string }>;
    const row = readFileSync(bank, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row)
      .find((r) => !r["6b_finetuning"]!.is_correct && r["175b_verification"]!.is_correct)!;
    const attempts = [row["6b_finetuning"]!.solution, row["175b_verification"]!.solution];
    const lm = scriptedLM((r) =>
      stage(r) === "reflect"
        ? "I skipped a quantity; account for every quantity in the problem first."
        : attempts.shift()!,
    );
    const gold = canonicalAnswer(row.ground_truth, "number");
    const exact = (answer: string) => {
      const got = canonicalAnswer(answer, "number");
      return { pass: got === gold, feedback: `The final answer ${got} is wrong.` };
    };
    const r = await reflexion(lm, { evaluator: exact }).complete({
      messages: [{ role: "user", content: row.question }],
    });
    assert.equal(canonicalAnswer(resultText(r), "number"), gold);
    assert.equal(lm.calls.length, 3, "attempt, reflection, passing attempt");
    assert.match(lastUserText(lm.calls[1]!), /The final answer \S+ is wrong\./);
    assert.match(lastUserText(lm.calls[2]!), /account for every quantity in the problem first/);
  },
);
