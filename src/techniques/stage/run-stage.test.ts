import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { createRunContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { defineTechnique } from "../define-technique.ts";
import { collectStream } from "./collect-stream.ts";
import { runStage, streamStage } from "./run-stage.ts";

const ask = { messages: [{ role: "user" as const, content: "q" }] };

// A two-stage technique: a planned note, then a streamed answer.
const twoStage = defineTechnique({
  name: "two-stage",
  family: "rephrase",
  paper: "none",
  description: "test",
  options: z.strictObject({}),
  async run(run) {
    await runStage({ run, name: "plan", request: ask, sampleOffset: 7 });
    return runStage({ run, name: "answer", request: ask });
  },
  async *stream(run) {
    await runStage({ run, name: "plan", request: ask, sampleOffset: 7 });
    const result = yield* streamStage({ run, name: "answer", request: ask });
    yield { type: "result", result };
  },
});

test("each stage is a step span holding its LM call, with the sample offset asked for", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => `sample ${sampleIndex}`);
  const ctx = createRunContext();
  await twoStage(lm).complete(ask, ctx);
  const steps = ctx.span.children[0]!.children;
  assert.deepEqual(
    steps.map((s) => [s.name, s.kind, s.children[0]!.kind]),
    [
      ["plan", "step", "lm"],
      ["answer", "step", "lm"],
    ],
  );
  assert.deepEqual(
    steps.map((s) => s.attributes.output),
    ["sample 7", "sample 0"],
  );
  assert.ok(steps.every((s) => s.end !== undefined && s.status === "ok"));
});

test("streamStage passes deltas through and returns the result", async () => {
  const lm = scriptedLM(() => "one two three");
  const { deltas, result } = await collectStream(twoStage(lm).stream(ask));
  assert.deepEqual(deltas, ["one ", "two ", "three"]);
  assert.equal(result.usage.calls, 2);
});

test("a stage does not start after an abort", async () => {
  const controller = new AbortController();
  controller.abort();
  const lm = scriptedLM(() => "x");
  const ctx = createRunContext({ signal: controller.signal });
  await assert.rejects(twoStage(lm).complete(ask, ctx), (e) => AbortedError.isInstance(e));
  assert.equal(lm.calls.length, 0);
});
