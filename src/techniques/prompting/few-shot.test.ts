import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { conformanceChecks } from "../conformance/conformance-checks.ts";
import type { TechniqueFactory } from "../define-technique.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { defaultRegistry } from "../registry.ts";
import { formatTechniqueSpec, parseLMSpec } from "../spec/index.ts";
import { fewShot } from "./few-shot.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-few-shot-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const demos = [
  { question: "What is 1 + 1?", answer: "1 + 1 = 2. The answer is 2." },
  { question: "What is 2 + 3?", answer: "2 + 3 = 5. The answer is 5." },
  { question: "What is 4 + 4?", answer: "4 + 4 = 8. The answer is 8." },
  { question: "What is 6 + 1?", answer: "6 + 1 = 7. The answer is 7." },
];
const asked: ChatRequest = {
  messages: [
    { role: "system", content: "Answer arithmetic." },
    { role: "user", content: "What is 5 + 5?" },
  ],
  temperature: 0.3,
  max_tokens: 40,
};
const transcript = (r: ChatRequest) => r.messages.map((m) => `${m.role}: ${contentText(m.content)}`);

test("the first k demos become user/assistant turns, in order, after the system prompt", async () => {
  const lm = scriptedLM(() => "5 + 5 = 10. The answer is 10.");
  const result = await fewShot(lm, { demos, k: 2 }).complete(asked);
  assert.equal(resultText(result), "5 + 5 = 10. The answer is 10.");
  assert.equal(lm.calls.length, 1);
  assert.deepEqual(transcript(lm.calls[0]!), [
    "system: Answer arithmetic.",
    "user: What is 1 + 1?",
    "assistant: 1 + 1 = 2. The answer is 2.",
    "user: What is 2 + 3?",
    "assistant: 2 + 3 = 5. The answer is 5.",
    "user: What is 5 + 5?",
  ]);
  assert.equal(lm.calls[0]!.temperature, 0.3, "request fields reach the call");
  assert.equal(lm.calls[0]!.max_tokens, 40);
});

test("earlier turns of a conversation keep their place after the demos; a demo of the asked question is skipped", async () => {
  const lm = scriptedLM(() => "The answer is 8.");
  const request: ChatRequest = {
    messages: [
      { role: "system", content: "S" },
      { role: "developer", content: "D" },
      { role: "user", content: "hello" },
      { role: "assistant", content: "hi" },
      { role: "user", content: "What is 2 + 3?" },
    ],
  };
  await fewShot(lm, { demos, k: 2 }).complete(request);
  assert.deepEqual(transcript(lm.calls[0]!), [
    "system: S",
    "developer: D",
    "user: What is 1 + 1?",
    "assistant: 1 + 1 = 2. The answer is 2.",
    "user: What is 4 + 4?",
    "assistant: 4 + 4 = 8. The answer is 8.",
    "user: hello",
    "assistant: hi",
    "user: What is 2 + 3?",
  ]);
});

test("demos load from a JSON array or JSON lines file, and the spec prints the path back", async () => {
  const array = join(dir, "demos.json");
  const lines = join(dir, "demos.jsonl");
  writeFileSync(array, JSON.stringify(demos.map((d, i) => ({ id: `d${i}`, ...d }))));
  writeFileSync(lines, demos.map((d) => JSON.stringify(d)).join("\n") + "\n");
  for (const path of [array, lines]) {
    const lm = scriptedLM(() => "The answer is 10.");
    const env = { registry: defaultRegistry(), resolveModel: () => lm };
    const built = parseLMSpec(`few-shot(demos=${JSON.stringify(path)}, k=3)@scripted:test`, env);
    assert.equal(
      formatTechniqueSpec(built),
      `few-shot(demos=${path})@scripted:test`,
      "k=3 is the default, the path stays a path",
    );
    await built.complete({ messages: [{ role: "user", content: "What is 9 + 9?" }] });
    assert.deepEqual(
      lm.calls[0]!.messages.filter((m) => m.role === "user").map((m) => m.content),
      ["What is 1 + 1?", "What is 2 + 3?", "What is 4 + 4?", "What is 9 + 9?"],
    );
  }
});

test("a missing or malformed demos file is an error when the LM is made, not at the first request", () => {
  const lm = scriptedLM(() => "x");
  assert.throws(
    () => fewShot(lm, { demos: join(dir, "nope.json") }),
    (e) => InvalidRequestError.isInstance(e) && /demos.*cannot be read/.test(e.message),
  );
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify([{ question: "q" }]));
  assert.throws(
    () => fewShot(lm, { demos: bad }),
    (e) => InvalidRequestError.isInstance(e) && /answer/.test(e.message),
  );
  assert.throws(
    () => fewShot(lm, { k: 0 }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "k",
  );
});

test("no demos: the request passes through unchanged", async () => {
  const lm = scriptedLM(() => "The answer is 10.");
  await fewShot(lm).complete(asked);
  assert.deepEqual(lm.calls[0]!.messages, asked.messages);
});

test("streams the answer's deltas and n reaches the model in one call", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => `The answer is ${10 + sampleIndex}.`);
  const { deltas, result } = await collectStream(fewShot(lm, { demos }).stream(asked));
  assert.deepEqual(deltas, ["The ", "answer ", "is ", "10."]);
  assert.equal(result.usage.calls, 1);
  const many = await fewShot(lm, { demos }).complete({ ...asked, n: 3 });
  assert.deepEqual(
    many.choices.map((c) => c.message.content),
    ["The answer is 10.", "The answer is 11.", "The answer is 12."],
  );
  assert.equal(lm.calls.length, 2, "n=3 is one call to a native-n model");
});

test("the demos shown are a trace event, and a budget too small for the demos stops the call", async () => {
  const lm = scriptedLM(() => "The answer is 10.");
  const ctx = createRunContext();
  await fewShot(lm, { demos, k: 2 }).complete(asked, ctx);
  const span = ctx.span.children[0]!;
  const event = span.events.find((e) => e.name === "demos")!;
  assert.deepEqual(event.data, { shown: 2, available: 4, questions: ["What is 1 + 1?", "What is 2 + 3?"] });
  const tiny = createRunContext({ budget: { tokens: 20 } });
  await assert.rejects(fewShot(lm, { demos }).complete(asked, tiny), (e) => BudgetExceededError.isInstance(e));
});

// The conformance suite runs few-shot with its defaults (no demos); run it again with demos shown.
const withTwoDemos = Object.assign(
  (inner: Parameters<typeof fewShot>[0], o?: Record<string, unknown>) => fewShot(inner, { demos, k: 2, ...o }),
  {
    definition: fewShot.definition,
  },
) as unknown as TechniqueFactory;
for (const check of conformanceChecks) test(`with demos: ${check.name}`, () => check.run(withTwoDemos));
