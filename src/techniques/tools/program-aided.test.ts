import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import type { Span } from "../../trace/span.ts";
import { scoreAnswer } from "../../eval/score-answer.ts";
import { choiceAnswer, extractAnswer, vote } from "../answers/index.ts";
import { programAided } from "./program-aided.ts";

const ask: ChatRequest = {
  messages: [
    { role: "system", content: "You are a careful math tutor." },
    { role: "user", content: "A farmer has 17 sheep and buys 3 flocks of 12. How many sheep now?" },
  ],
  temperature: 0.3,
  response_format: { type: "json_object" },
};

const fence = (code: string, tag = "javascript") => `Here is the program:\n\`\`\`${tag}\n${code}\n\`\`\``;
const lastUser = (r: ChatRequest) => contentText(r.messages.filter((m) => m.role === "user").at(-1)!.content);

function spans(span: Span): Span[] {
  return span.children.flatMap((c) => [c, ...spans(c)]);
}

test("the program's printed result is the answer; the message ends with it and the trace holds the run", async () => {
  // The answer is computed by the program, not written by the model: the reply never says 53.
  const lm = scriptedLM(() =>
    fence(
      "const sheep = 17;\nconst bought = 3 * 12;\nconst answer = sheep + bought;\nconsole.log('total:', answer);\nconsole.log(answer);",
    ),
  );
  const ctx = createRunContext();
  const result = await programAided(lm).complete(ask, ctx);
  const text = resultText(result);
  assert.match(text, /The answer is 53\.$/);
  assert.equal(
    extractAnswer(text),
    "53",
    "answer extraction finds the program's answer despite `answer =` in the code",
  );
  assert.match(text, /```javascript\nconst sheep = 17;/);
  assert.match(text, /Output:\n```\ntotal: 53\n53\n```/);
  assert.equal(result.usage.calls, 1);
  const sent = lm.calls[0]!;
  assert.equal(sent.messages[0]!.content, "You are a careful math tutor.", "the system prompt is kept");
  assert.match(lastUser(sent), /JavaScript program/);
  assert.match(lastUser(sent), /17 sheep/);
  assert.equal(sent.response_format, undefined, "the program call is not bound by the caller's JSON format");
  assert.equal(sent.temperature, 0.3);
  const tool = spans(ctx.span).find((s) => s.kind === "tool")!;
  assert.equal(tool.name, "sandbox");
  assert.equal(tool.attributes.stdout, "total: 53\n53");
  assert.ok(typeof tool.attributes.latency_ms === "number");
  const events = ctx.span.children[0]!.events.map((e) => e.name);
  assert.ok(events.includes("program") && events.includes("program output"));
});

test("a last expression or top-level return is the answer when nothing is printed", async () => {
  const lm = scriptedLM((_r, { callIndex }) =>
    callIndex === 0 ? fence("let total = 0;\nfor (let i = 1; i <= 100; i++) total += i;\ntotal") : "x",
  );
  assert.match(resultText(await programAided(lm).complete(ask)), /The answer is 5050\.$/);
  const lm2 = scriptedLM(() => fence("const xs = [3, 4];\nreturn Math.hypot(...xs);"));
  assert.match(resultText(await programAided(lm2).complete(ask)), /The answer is 5\.$/);
});

test("a broken program goes back with its error and line; the fixed program's result is the answer", async () => {
  const lm = scriptedLM((request) => {
    if (request.messages.length === 2)
      return fence("const sheep = 17;\nconst total = sheep + flocks * 12;\nconsole.log(total);");
    return fence("const sheep = 17;\nconst flocks = 3;\nconsole.log(sheep + flocks * 12);");
  });
  const ctx = createRunContext();
  const result = await programAided(lm).complete(ask, ctx);
  assert.equal(extractAnswer(resultText(result)), "53");
  assert.equal(lm.calls.length, 2);
  const fix = lm.calls[1]!;
  assert.equal(fix.messages.at(-2)!.role, "assistant", "the failing program is in the conversation");
  assert.match(contentText(fix.messages.at(-2)!.content), /flocks \* 12/);
  assert.match(lastUser(fix), /ReferenceError: 'flocks' is not defined \(line 2\)/);
  const errors = ctx.span.children[0]!.events.filter((e) => e.name === "program error");
  assert.equal(errors.length, 1);
  assert.equal(result.usage.calls, 2);
  assert.equal(spans(ctx.span).filter((s) => s.kind === "tool").length, 2);
});

test("limits, missing code and silent programs are errors the model is asked to fix", async () => {
  const replies = [
    fence("while (true) {}"),
    "I think the answer is 53.",
    fence("const x = 53;"),
    fence("console.log(53)"),
  ];
  const lm = scriptedLM((_r, { callIndex }) => replies[callIndex]!);
  const result = await programAided(lm, { max_fixes: 3, timeout_ms: 50 }).complete(ask);
  assert.equal(extractAnswer(resultText(result)), "53");
  assert.match(lastUser(lm.calls[1]!), /TimeoutError: the program ran longer than 50 ms/);
  assert.match(lastUser(lm.calls[2]!), /no JavaScript program in a fenced code block|SyntaxError/);
  assert.match(lastUser(lm.calls[3]!), /printed nothing and returned no value/);
});

test("after max_fixes failed programs the answer says so plainly, with the last error", async () => {
  const lm = scriptedLM(() => fence("throw new Error('cannot count sheep')"));
  const result = await programAided(lm, { max_fixes: 1 }).complete(ask);
  const text = resultText(result);
  assert.equal(lm.calls.length, 2, "one program and one fix");
  assert.match(
    text,
    /^No javascript program produced an answer after 2 attempts\. Last error:\nError: cannot count sheep \(line 1\)/,
  );
  assert.equal(result.choices[0]!.finish_reason, "no_answer");
  assert.doesNotMatch(text, /answer is/i, "nothing claims to be the answer");
});

test("a program that failed gives no answer: nothing of its text is voted on or scored, the trace keeps it", async () => {
  // The failed program holds a number that the auto extractor would otherwise read as the answer.
  const lm = scriptedLM(() => fence("const answer = 42;\nthrow new Error('no sheep')"));
  const ctx = createRunContext();
  const result = await programAided(lm, { max_fixes: 0 }).complete(ask, ctx);
  const choice = result.choices[0]!;
  assert.equal(choice.finish_reason, "no_answer");
  assert.doesNotMatch(resultText(result), /42|```/);
  assert.equal(choiceAnswer(choice), undefined);
  assert.equal(vote([choice, choice]).winner, undefined);
  assert.equal(
    scoreAnswer({ text: resultText(result), gold: "42", kind: "auto", finishReason: choice.finish_reason }).correct,
    false,
  );
  const span = ctx.span.children[0]!;
  assert.ok(span.events.some((e) => e.name === "program" && String((e.data as { code: string }).code).includes("42")));
  assert.ok(span.events.some((e) => e.name === "no answer"));
});

test("custom prompts are used and their placeholders checked", async () => {
  const lm = scriptedLM(() => fence("print(6 * 7)", "py"));
  assert.throws(() => programAided(lm, { prompt: "Solve {questoin}" }), /questoin/);
  const result = await programAided(lm, {
    prompt: "Python please: {question}",
    lang: "python",
    timeout_ms: 5000,
  }).complete(ask);
  assert.equal(
    lastUser(lm.calls[0]!),
    "Python please: A farmer has 17 sheep and buys 3 flocks of 12. How many sheep now?",
  );
  assert.match(resultText(result), /```python\nprint\(6 \* 7\)\n```[\s\S]*The answer is 42\.$/);
});

test("a looping program under timeout_ms=30000 ends with the request's 2 s time budget, and the event loop stays free meanwhile", async () => {
  const lm = scriptedLM(() => fence("while (true) {}"));
  let lagMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    lagMs = Math.max(lagMs, performance.now() - last - 10);
    last = performance.now();
  }, 10);
  // What the machine's load alone does to a timer (a shared 2-core machine running the whole suite).
  await new Promise((r) => setTimeout(r, 1000));
  const bound = 250 + lagMs; // see src/sandbox/hostile-programs.test.ts: a blocked loop would show ~2,000 ms
  lagMs = 0;
  const ctx = createRunContext({ budget: { time_ms: 2000 } });
  const started = performance.now();
  try {
    const result = await programAided(lm, { timeout_ms: 30_000, max_fixes: 1 }).complete(ask, ctx);
    const ms = performance.now() - started;
    // 2 s budget + a worker start-up and thread termination on a loaded 2-core machine.
    assert.ok(ms < 2000 + 1500, `took ${ms} ms`);
    assert.equal(result.choices[0]!.finish_reason, "budget");
    assert.equal(lm.calls.length, 1, "no fix round after the budget ran out");
    // A loop on the main thread would show as ~2,000 ms of lag.
    assert.ok(lagMs < bound, `event-loop lag ${lagMs} ms (bound ${bound} ms)`);
  } finally {
    clearInterval(timer);
  }
});
