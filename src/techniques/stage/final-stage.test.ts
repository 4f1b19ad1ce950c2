import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { createRunContext } from "../../core/context.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { LM } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { defineTechnique } from "../define-technique.ts";
import { collectStream } from "./collect-stream.ts";
import { finalStage } from "./final-stage.ts";
import { runStage } from "./run-stage.ts";
import { stageRequest } from "./stage-request.ts";

const ask = { messages: [{ role: "user" as const, content: "What is 6 * 7?" }] };

// A plan stage on the inner LM, then a final stage on `writer` (when given) that sees the plan.
function planThenWrite(writer?: LM) {
  return defineTechnique({
    name: "plan-then-write",
    family: "rephrase",
    paper: "none",
    description: "test",
    options: z.strictObject({}),
    ...finalStage({
      name: "write",
      async prepare(run) {
        const plan = resultText(
          await runStage({
            run,
            name: "plan",
            request: stageRequest({ request: run.request, prompt: "Plan: {question}", purpose: "note" }),
          }),
        );
        return {
          plan,
          lm: writer,
          request: stageRequest({ request: run.request, prompt: `Following "${plan}", answer.` }),
        };
      },
      finish: (result, { plan }) => ({
        ...result,
        choices: result.choices.map((c) => ({
          ...c,
          message: { ...c.message, content: `${contentText(c.message.content)} (plan: ${plan})` },
        })),
      }),
    }),
  });
}

test("complete and stream run the same stages; the final one is named, streamed, and finished with what prepare found", async () => {
  const lm = scriptedLM((r) =>
    contentText(r.messages.at(-1)!.content).startsWith("Plan") ? "multiply" : "the answer is 42",
  );
  const ctx = createRunContext();
  const done = await planThenWrite()(lm).complete(ask, ctx);
  assert.equal(contentText(done.choices[0]!.message.content), "the answer is 42 (plan: multiply)");
  assert.deepEqual(
    ctx.span.children[0]!.children.map((s) => [s.name, s.kind]),
    [
      ["plan", "step"],
      ["write", "step"],
    ],
  );
  assert.match(contentText(lm.calls[1]!.messages.at(-1)!.content), /Following "multiply", answer\./);

  const streamed = await collectStream(planThenWrite()(lm).stream(ask));
  assert.deepEqual(streamed.deltas, ["the ", "answer ", "is ", "42"], "the final stage's deltas reach the caller");
  assert.equal(contentText(streamed.result.choices[0]!.message.content), "the answer is 42 (plan: multiply)");
  assert.equal(streamed.result.usage.calls, 2);
});

test("the final stage asks the LM that prepare names, not the inner one", async () => {
  const inner = scriptedLM(() => "a plan");
  const writer = scriptedLM(() => "written");
  for (const go of [(t: LM) => t.complete(ask), (t: LM) => collectStream(t.stream(ask))]) {
    await go(planThenWrite(writer)(inner));
  }
  assert.equal(inner.calls.length, 2, "one plan call per run");
  assert.equal(writer.calls.length, 2, "one final call per run");
});
