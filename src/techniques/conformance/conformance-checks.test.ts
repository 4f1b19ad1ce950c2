import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { resultText } from "../../core/messages.ts";
import { defineTechnique } from "../define-technique.ts";
import { conformanceChecks, type ConformanceCheck } from "./conformance-checks.ts";
import { fixtureTechniques } from "./fixture-techniques.ts";

/** The suite checks itself: sound techniques pass every check, each kind of broken one fails its check. */

function check(name: string): ConformanceCheck {
  const found = conformanceChecks.find((c) => c.name.startsWith(name));
  assert.ok(found, `no check named ${name}`);
  return found;
}

const base = {
  family: "iterate" as const,
  paper: "none",
  description: "a deliberately broken technique",
  options: z.strictObject({}),
};

/** Calls its model outside the run's context: untraced, unaccounted, unbudgeted, unabortable. */
const untraced = defineTechnique({
  ...base,
  name: "broken-untraced",
  async run(run) {
    const draft = await run.inner.complete(run.request);
    return run.inner.complete({
      ...run.request,
      messages: [...run.request.messages, { role: "user", content: resultText(draft) }],
    });
  },
});

/** Swallows errors (budget, abort) and answers anyway, as if nothing happened. */
const swallowing = defineTechnique({
  ...base,
  name: "broken-swallowing",
  async run(run) {
    let text = "I do not know.";
    for (let i = 0; i < 3; i++) {
      try {
        text = resultText(await run.inner.complete(run.request, { ...run.ctx, sampleOffset: i }));
      } catch {
        // "Robustness": the caller never learns its budget or abort cut the run short.
      }
    }
    return { index: 0, message: { role: "assistant" as const, content: text }, finish_reason: "stop" };
  },
});

/** Keeps making calls after an abort, under a context that dropped the signal. */
const deaf = defineTechnique({
  ...base,
  name: "broken-deaf",
  async run(run) {
    const first = await run.inner.complete(run.request, run.ctx).catch(() => undefined);
    run.keep(first ?? { index: 0, message: { role: "assistant", content: "x" }, finish_reason: "stop" });
    return run.inner.complete(run.request, { ...run.ctx, signal: undefined, sampleOffset: 1 });
  },
});

/** Streams something other than what complete() returns. */
const twoFaced = defineTechnique({
  ...base,
  name: "broken-two-faced",
  run: (run) => run.inner.complete(run.request, run.ctx),
  async *stream(run) {
    for await (const event of run.inner.stream(run.request, run.ctx)) {
      if (event.type !== "result") yield event;
      else {
        const choice = event.result.choices[0]!;
        yield {
          type: "result",
          result: {
            ...event.result,
            choices: [{ ...choice, message: { ...choice.message, content: "streamed differently" } }],
          },
        };
      }
    }
  },
});

describe("sound techniques pass every check", () => {
  for (const factory of fixtureTechniques)
    for (const c of conformanceChecks) test(`${factory.definition.name}: ${c.name}`, () => c.run(factory));
});

describe("broken techniques are caught", () => {
  const expectFailure = (factory: typeof untraced, checkName: string, pattern: RegExp) =>
    test(`${factory.definition.name} fails "${checkName}"`, () =>
      assert.rejects(
        check(checkName).run(factory),
        (e) => e instanceof assert.AssertionError && pattern.test(e.message),
      ));
  expectFailure(untraced, "usage equals", /result usage = sum of the LM spans|usage\.calls = upstream calls/);
  expectFailure(
    untraced,
    "the trace is complete",
    /outside the technique span|at least one LM span|every upstream call has an LM span/,
  );
  expectFailure(untraced, "a calls budget", /upstream calls were made/);
  expectFailure(swallowing, "a calls budget", /must say finish_reason "budget"/);
  expectFailure(swallowing, "an abort ends", /must say finish_reason "aborted"/);
  expectFailure(deaf, "an abort ends", /upstream calls started after the abort/);
  expectFailure(twoFaced, "stream()", /stream and complete give the same answer|the deltas add up/);
});
