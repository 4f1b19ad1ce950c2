import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { stepBack } from "./step-back.ts";

const question = "What happens to the pressure of an ideal gas if the temperature doubles and the volume is halved?";
const ask: ChatRequest = {
  messages: [
    { role: "system", content: "You are a physics tutor." },
    { role: "user", content: question },
  ],
  max_tokens: 300,
};
const stepBackQ = "What are the physics principles behind this question?";
const principles = "Ideal gas law: PV = nRT.";

function tutor() {
  return scriptedLM((r) => {
    const p = lastUserText(r);
    if (p.includes("step back and paraphrase")) return stepBackQ;
    if (p.startsWith(stepBackQ)) return principles;
    return "The pressure quadruples.";
  });
}

test("asks the step-back question, answers it, and grounds the final answer in the principles", async () => {
  const lm = tutor();
  const ctx = createRunContext();
  const r = await stepBack(lm).complete(ask, ctx);
  assert.equal(resultText(r), "The pressure quadruples.");
  assert.equal(lm.calls.length, 3);
  assert.match(lastUserText(lm.calls[0]!), /Original question: What happens to the pressure/);
  assert.ok(lastUserText(lm.calls[1]!).startsWith(stepBackQ), "the step-back question is answered");
  const final = lastUserText(lm.calls[2]!);
  assert.ok(final.includes(principles));
  assert.ok(final.includes(stepBackQ));
  assert.ok(final.endsWith(`Original question: ${question}`));
  assert.ok(lm.calls.every((c) => c.messages[0]!.content === "You are a physics tutor."));
  assert.deepEqual(
    lm.calls.map((c) => c.max_tokens),
    [undefined, undefined, 300],
  );
  assert.deepEqual(
    ctx.span.children[0]!.children.map((s) => s.name),
    ["step-back question", "principles", "answer"],
  );
});

test("streams the grounded answer with usage of all three calls", async () => {
  const lm = tutor();
  const { text, result } = await collectStream(stepBack(lm).stream(ask));
  assert.equal(text, "The pressure quadruples.");
  assert.equal(result.usage.calls, 3);
});

test("a budget stop is a typed error after exactly the affordable calls", async () => {
  const lm = tutor();
  await assert.rejects(stepBack(lm).complete(ask, createRunContext({ budget: { calls: 2 } })), (e) =>
    BudgetExceededError.isInstance(e),
  );
  assert.equal(lm.calls.length, 2);
});

test("an abort between stages stops before the next call", async () => {
  const controller = new AbortController();
  const lm = scriptedLM(() => {
    controller.abort();
    return stepBackQ;
  });
  await assert.rejects(stepBack(lm).complete(ask, createRunContext({ signal: controller.signal })), (e) =>
    AbortedError.isInstance(e),
  );
  assert.equal(lm.calls.length, 1);
});
