import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest, StreamEvent } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { MemoryStore } from "../../store/memory/memory-store.ts";
import { re2 } from "../rephrase/re2.ts";
import { memory } from "./memory.ts";
import { feedback } from "./memory-feedback.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-memory-technique-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const LESSON = "Convert every quantity to the same unit before adding them.";
const ask = (question: string, system = "You are a careful assistant."): ChatRequest => ({
  messages: [
    { role: "system", content: system },
    { role: "user", content: question },
  ],
  max_tokens: 50,
});

/** Distils LESSON when asked for a lesson; answers right only when a lesson about units is in the system prompt. */
function learner() {
  return scriptedLM((request) => {
    const last = contentText(request.messages.at(-1)!.content);
    if (/What general lesson would have avoided this mistake\?/.test(last)) return `Lesson: "${LESSON}"`;
    const system = contentText(request.messages[0]!.content);
    return /same unit/.test(system)
      ? "2 kg + 300 g = 2300 g. The answer is 2300."
      : "2 + 300 = 302. The answer is 302.";
  });
}

test("with no lessons yet the request goes through unchanged and no file is created", async () => {
  const store = join(dir, "none.sqlite");
  const lm = learner();
  const ctx = createRunContext();
  const result = await memory(lm, { store }).complete(ask("How many grams are 2 kg and 300 g?"), ctx);
  assert.equal(resultText(result), "2 + 300 = 302. The answer is 302.");
  assert.deepEqual(lm.calls[0]!.messages, ask("How many grams are 2 kg and 300 g?").messages);
  assert.equal(existsSync(store), false);
  assert.deepEqual(ctx.span.children[0]!.events.find((e) => e.name === "lessons")!.data.lessons, []);
});

test("a wrong answer reported through feedback() becomes a stored lesson, recalled into the system prompt of later similar questions", async () => {
  const store = join(dir, "feedback.sqlite");
  const lm = learner();
  const question = ask("How many grams are 2 kg and 300 g?");
  const first = memory(lm, { store });
  const wrong = await first.complete(question);
  assert.equal(resultText(wrong), "2 + 300 = 302. The answer is 302.");

  const ctx = createRunContext();
  const lesson = await first.feedback(
    { request: question, answer: wrong, gold: "2300", note: "mixed kilograms and grams" },
    ctx,
  );
  assert.ok(lesson);
  assert.equal(lesson.text, LESSON, "the label and quotes are stripped");
  assert.deepEqual(
    [lesson.question, lesson.source, lesson.tags],
    ["How many grams are 2 kg and 300 g?", "feedback", ["feedback"]],
  );
  const distill = contentText(lm.calls.at(-1)!.messages.at(-1)!.content);
  assert.match(distill, /Question:\nHow many grams are 2 kg and 300 g\?/);
  assert.match(distill, /Answer given:\n2 \+ 300 = 302\. The answer is 302\./);
  assert.match(distill, /The correct answer is: 2300\nFeedback: mixed kilograms and grams/);
  assert.equal(lm.calls.at(-1)!.max_tokens, undefined, "the caller's answer limits do not bind the lesson");
  assert.equal(ctx.span.total.calls, 1);
  assert.equal(ctx.span.events.find((e) => e.name === "learned")!.data.lesson_id, lesson.id);

  // A new LM (as in a later process) over the same file recalls the lesson for a similar question.
  const later = learner();
  const run = createRunContext();
  const result = await memory(later, { store }).complete(ask("How many grams are 1 kg and 50 g together?"), run);
  assert.equal(resultText(result), "2 kg + 300 g = 2300 g. The answer is 2300.");
  const system = contentText(later.calls[0]!.messages[0]!.content);
  assert.equal(
    system,
    `You are a careful assistant.\n\nLessons learned from earlier mistakes on similar questions (apply them where they are relevant, ignore them where they are not):\n1. ${LESSON}`,
  );
  assert.equal(later.calls[0]!.messages[1]!.content, "How many grams are 1 kg and 50 g together?");
  const recalled = run.span.children[0]!.events.find((e) => e.name === "lessons")!.data.lessons as { id: number }[];
  assert.deepEqual(
    recalled.map((l) => l.id),
    [lesson.id],
  );
  const saved = MemoryStore.open({ path: store });
  assert.equal(saved.get(lesson.id)!.uses, 1);
  saved.close();
});

test("feedback: a right answer (canonically equal to gold) teaches nothing; the memory is found inside a stack; no verdict is an error", async () => {
  const store = join(dir, "stack.sqlite");
  const lm = learner();
  const stacked = re2(memory(lm, { store }));
  const question = ask("What is 2 kg plus 300 g in grams?");
  assert.equal(
    await feedback(stacked, { request: question, answer: "So the answer is 2,300.0", gold: "2300" }),
    undefined,
  );
  assert.equal(lm.calls.length, 0, "no lesson is distilled from a right answer");
  const lesson = await feedback(stacked, { request: question, answer: "The answer is 302.", correct: false });
  assert.equal(lesson?.text, LESSON);
  await assert.rejects(
    feedback(stacked, { request: question, answer: "x" }),
    (e) => InvalidRequestError.isInstance(e) && /correct/.test(e.message),
  );
  await assert.rejects(
    feedback(lm, { request: question, answer: "x", correct: false }),
    (e) => InvalidRequestError.isInstance(e) && /has no memory/.test(e.message),
  );
  assert.equal(
    await memory(lm, { store, learn: false }).feedback({ request: question, answer: "302", correct: false }),
    undefined,
  );
});

test("a verifier that fails the answer makes the memory learn at once; the answer is still returned (and streamed)", async () => {
  const store = join(dir, "verifier.sqlite");
  const verdicts: string[] = [];
  const verifier = (answer: string) => {
    verdicts.push(answer);
    return answer.includes("2300") ? true : { pass: false, feedback: "kilograms were added to grams" };
  };
  const lm = learner();
  const ctx = createRunContext();
  const result = await memory(lm, { store, verifier }).complete(ask("How many grams are 2 kg and 300 g?"), ctx);
  assert.equal(resultText(result), "2 + 300 = 302. The answer is 302.");
  assert.equal(result.choices[0]!.finish_reason, "stop");
  assert.equal(lm.calls.length, 2);
  assert.match(
    contentText(lm.calls[1]!.messages.at(-1)!.content),
    /A checker found this wrong with the answer: kilograms were added to grams/,
  );
  assert.equal(result.usage.calls, 2, "usage counts the answer and the distillation");
  const events = ctx.span.children[0]!.events.map((e) => e.name);
  assert.deepEqual(
    events.filter((n) => n !== "progress"),
    ["lessons", "verification", "learned"],
  );

  // The next question recalls the lesson, the verifier passes it, nothing more is learned.
  const events2: StreamEvent[] = [];
  for await (const e of memory(lm, { store, verifier }).stream(ask("How many grams are 3 kg and 5 g?")))
    events2.push(e);
  const text = events2
    .filter((e) => e.type === "delta")
    .map((e) => e.content)
    .join("");
  assert.equal(text, "2 kg + 300 g = 2300 g. The answer is 2300.");
  assert.equal(events2.at(-1)!.type, "result");
  assert.deepEqual(verdicts, ["2 + 300 = 302. The answer is 302.", "2 kg + 300 g = 2300 g. The answer is 2300."]);
  const saved = MemoryStore.open({ path: store });
  assert.equal(saved.count(), 1);
  assert.equal(saved.list()[0]!.source, "verifier");
  saved.close();
});

test("a budget that stops the distillation leaves the answer intact; learn=false never asks the verifier", async () => {
  const store = join(dir, "budget.sqlite");
  const lm = learner();
  const ctx = createRunContext({ budget: { calls: 1 } });
  const result = await memory(lm, { store, verifier: () => false }).complete(
    ask("How many grams are 2 kg and 300 g?"),
    ctx,
  );
  assert.equal(resultText(result), "2 + 300 = 302. The answer is 302.");
  assert.equal(result.choices[0]!.finish_reason, "stop");
  assert.ok(ctx.span.children[0]!.events.some((e) => e.name === "learning skipped"));
  let asked = 0;
  await memory(lm, { store, learn: false, verifier: () => (asked++, false) }).complete(ask("What is 1 kg in grams?"));
  assert.equal(asked, 0);
  assert.throws(
    () => memory(lm, { k: -1 }),
    (e) => InvalidRequestError.isInstance(e),
  );
});
