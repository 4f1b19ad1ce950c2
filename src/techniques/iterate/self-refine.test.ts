import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText, lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { selfRefine } from "./self-refine.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "What is 17 * 3?" }] };
const isCritique = (r: ChatRequest) => lastUserText(r).startsWith("Review the answer below");
const isRefine = (r: ChatRequest) => lastUserText(r).includes("Your earlier drafts");

/** Drafts are numbered by the order they are written; the critic scores draft k with scores[k]. */
function refiner(scores: (number | "stop")[]) {
  let drafts = 0;
  return scriptedLM((r) => {
    if (isCritique(r)) {
      const k = Number(/draft-(\d+)/.exec(lastUserText(r))![1]);
      const s = scores[k]!;
      return s === "stop" ? "NO ISSUES" : `1. The product is off.\nScore: ${s}/10`;
    }
    return `draft-${drafts++} 17 * 3 = ${50 + drafts}`;
  });
}

test("stops as soon as the critic is satisfied: no refinement call is made", async () => {
  const lm = refiner(["stop"]);
  const r = await selfRefine(lm).complete(ask);
  assert.match(resultText(r), /^draft-0/);
  assert.equal(lm.calls.length, 2);
  assert.equal(lm.calls.filter(isRefine).length, 0);
  assert.equal(r.choices[0]!.finish_reason, "stop");
});

test("a score at stop_score ends the loop too", async () => {
  const lm = refiner([6, 9]);
  const r = await selfRefine(lm, { stop_score: 9 }).complete(ask);
  assert.match(resultText(r), /^draft-1/);
  assert.equal(lm.calls.length, 4);
});

test("runs every round when the critic is never satisfied, keeping the whole history", async () => {
  const lm = refiner([3, 5, 7]);
  const ctx = createRunContext();
  const r = await selfRefine(lm, { rounds: 2 }).complete(ask, ctx);
  // draft, critique, refine, critique, refine, critique
  assert.equal(lm.calls.length, 6);
  assert.equal(lm.calls.filter(isCritique).length, 3);
  assert.match(resultText(r), /^draft-2/);
  const lastRefine = lastUserText(lm.calls.filter(isRefine).at(-1)!);
  assert.ok(lastRefine.includes("What is 17 * 3?"), "the question is in the refine prompt");
  for (const needle of ["draft-0", "draft-1", "Score: 3/10", "Score: 5/10"])
    assert.ok(lastRefine.includes(needle), `refine prompt lacks ${needle}`);
  const events = ctx.span.children[0]!.events;
  assert.deepEqual(
    events.filter((e) => e.name === "critique").map((e) => e.data.score),
    [3, 5, 7],
  );
  assert.equal(events.filter((e) => e.name === "draft").length, 3);
  assert.equal(r.usage.calls, 6, "usage counts every internal call");
});

test("never returns a draft that scored worse than an earlier one", async () => {
  const lm = refiner([8, 4, 6]);
  const r = await selfRefine(lm, { rounds: 2 }).complete(ask);
  assert.match(resultText(r), /^draft-0/);
});

test("on equal scores the later draft wins", async () => {
  const lm = refiner([6, 6]);
  const r = await selfRefine(lm, { rounds: 1 }).complete(ask);
  assert.match(resultText(r), /^draft-1/);
});

test("a separate critic writes the feedback; the inner LM only drafts", async () => {
  const inner = scriptedLM((r) => (isRefine(r) ? "draft-1 better" : "draft-0 first"));
  const critic = scriptedLM((r) => (lastUserText(r).includes("draft-1") ? "NO ISSUES" : "Wrong.\nScore: 2/10"), {
    name: "critic",
  });
  const r = await selfRefine(inner, { critic }).complete(ask);
  assert.equal(resultText(r), "draft-1 better");
  assert.equal(inner.calls.length, 2);
  assert.equal(critic.calls.length, 2);
  assert.ok(critic.calls.every(isCritique));
  assert.equal(r.usage.calls, 4);
});

test("system prompt and earlier turns reach every inner call; the response format binds drafts only", async () => {
  const lm = refiner([4, "stop"]);
  const request: ChatRequest = {
    messages: [
      { role: "system", content: "Answer in French." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Bonjour" },
      { role: "user", content: "What is 17 * 3?" },
    ],
    temperature: 0.3,
    response_format: { type: "json_object" },
  };
  await selfRefine(lm).complete(request);
  assert.equal(lm.calls.length, 4);
  for (const call of lm.calls) {
    assert.deepEqual(call.messages.slice(0, 3), request.messages.slice(0, 3));
    assert.equal(call.messages.length, 4);
    assert.equal(call.temperature, 0.3);
  }
  for (const call of lm.calls) assert.equal(call.response_format === undefined, isCritique(call));
});

test("a budget stop returns the best scored draft so far, not the unscored newer one", async () => {
  const lm = refiner([5, 9]);
  const ctx = createRunContext({ budget: { calls: 3 } });
  const r = await selfRefine(lm).complete(ask, ctx);
  assert.equal(lm.calls.length, 3);
  assert.match(resultText(r), /^draft-0/);
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(r.usage.calls, 3);
});

test("an abort between stages returns the best draft with finish_reason aborted", async () => {
  const controller = new AbortController();
  const lm = scriptedLM((r) => {
    if (!isCritique(r)) return "draft-0 51";
    controller.abort();
    return "Score: 9/10";
  });
  const r = await selfRefine(lm).complete(ask, createRunContext({ signal: controller.signal }));
  assert.equal(r.choices[0]!.finish_reason, "aborted");
  assert.equal(resultText(r), "draft-0 51");
  assert.equal(lm.calls.length, 2);
});

test("streaming ends with the selected draft and usage of every call", async () => {
  const lm = refiner([7, 3]);
  const { text, result } = await collectStream(selfRefine(lm, { rounds: 1 }).stream(ask));
  assert.match(text, /^draft-0/);
  assert.equal(contentText(result.choices[0]!.message.content), text);
  assert.equal(result.usage.calls, 4);
});

test("n > 1 runs independent refinements concurrently", async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const lm = scriptedLM(async (r, { sampleIndex }) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 15));
    inFlight--;
    return isCritique(r) ? "NO ISSUES" : `answer from sample ${sampleIndex}`;
  });
  const r = await selfRefine(lm).complete({ ...ask, n: 2 });
  assert.equal(r.choices.length, 2);
  assert.notEqual(resultText(r, 0), resultText(r, 1));
  assert.equal(maxInFlight, 2);
});

test("options are validated when the technique is made", () => {
  const lm = refiner([]);
  assert.throws(
    () => selfRefine(lm, { rounds: 0 }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "rounds",
  );
  assert.throws(
    () => selfRefine(lm, { critique_prompt: "Rate {answr}" }),
    (e) => InvalidRequestError.isInstance(e) && /answr/.test(e.message),
  );
  assert.throws(
    () => selfRefine(lm, { critique_prompt: "Rate {question}" }),
    (e) => InvalidRequestError.isInstance(e) && /\{answer\}/.test(e.message),
  );
  assert.throws(
    () => selfRefine(lm, { round: 2 } as never),
    (e) => InvalidRequestError.isInstance(e),
  );
  assert.equal(selfRefine(lm, { rounds: 2 }).id, "self-refine(rounds=2)@scripted:test");
});
