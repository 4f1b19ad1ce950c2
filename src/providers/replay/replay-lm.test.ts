import assert from "node:assert/strict";
import { sharedReplay } from "../../testing/shared-replay.ts";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { ChatRequest, ChatResult } from "../../core/types.ts";
import { replayLM } from "./replay-lm.ts";

const shared = sharedReplay("cruxeval-output.codellama-7b.bank.jsonl");
const { path: bankPath, test } = shared;
const lines = shared.records<{ id: string; question: string; samples: string[] }>();
const lm = shared.skip ? (undefined as never) : replayLM({ bank: bankPath });

// sample_0's ten samples hold four different answers, so order and wrapping are visible.
const first = lines[0]!;
const late = lines[617]!;
const ask = (content: string, n?: number): ChatRequest => ({ messages: [{ role: "user", content }], n });
const texts = (r: ChatResult) => r.choices.map((c) => c.message.content);

test("the model id names the bank and the whole bank is loaded", () => {
  assert.equal(lm.id, `replay:${bankPath}`);
  assert.equal(lm.bank.records.length, 800);
  assert.equal(lm.bank.byId.get(late.id)?.question, late.question);
});

test("successive sample offsets serve the recorded samples in order, wrapping around", async () => {
  assert.ok(new Set(first.samples).size > 1);
  const ctx = createRunContext();
  const served: unknown[] = [];
  for (let i = 0; i < 13; i++)
    served.push(texts(await lm.complete(ask(first.question), { ...ctx, sampleOffset: i }))[0]);
  assert.deepEqual(served, [...first.samples, ...first.samples.slice(0, 3)]);
});

test("n=10 returns the ten recorded samples in order in one call; n=12 at offset 5 wraps", async () => {
  const ctx = createRunContext();
  const all = await lm.complete(ask(late.question, 10), ctx);
  assert.deepEqual(texts(all), late.samples);
  assert.deepEqual(
    all.choices.map((c) => c.index),
    [...Array(10).keys()],
  );
  assert.equal(ctx.span.total.calls, 1);
  const wrapped = await lm.complete(ask(late.question, 12), { ...createRunContext(), sampleOffset: 5 });
  assert.deepEqual(
    texts(wrapped),
    [...late.samples.slice(5), ...late.samples, ...late.samples.slice(0, 2)].slice(0, 12),
  );
});

test("usage: prompt tokens from the request, completion ~chars/4, zero cost", async () => {
  const r = await lm.complete(ask(late.question, 10));
  const chars = late.samples.reduce((sum, s) => sum + Math.ceil(s.length / 4), 0);
  assert.equal(r.usage.completion_tokens, chars);
  assert.ok(r.usage.prompt_tokens >= Math.floor(late.question.length / 4), `prompt tokens ${r.usage.prompt_tokens}`);
  assert.equal(r.usage.cost_usd, 0);
  assert.equal(r.usage.calls, 1);
});

test("a question embedded in a technique's longer prompt (or a system message) is found", async () => {
  const wrapped = `Think step by step, then give the final answer.\n\nQuestion:\n${late.question}\n\nAnswer in the form "The answer is X".`;
  assert.deepEqual(texts(await lm.complete(ask(wrapped, 3))), late.samples.slice(0, 3));
  const inSystem: ChatRequest = {
    messages: [
      { role: "system", content: `Solve this problem.\n${first.question}` },
      { role: "user", content: [{ type: "text", text: "Go on." }] },
    ],
  };
  assert.deepEqual(texts(await lm.complete(inSystem)), [first.samples[0]]);
  assert.equal(lm.findRecord(ask(wrapped))?.id, late.id);
});

test("an unknown question is an InvalidRequestError naming the bank and its size", async () => {
  await assert.rejects(lm.complete(ask("What is the capital of France?")), (e) => {
    assert.ok(InvalidRequestError.isInstance(e), String(e));
    assert.match(
      e.message,
      /replay: no question in bank .*cruxeval-output.*matches the request; the bank has 800 questions such as sample_0/,
    );
    return true;
  });
  // A prompt that quotes only part of a question does not match either.
  await assert.rejects(lm.complete(ask(late.question.slice(0, late.question.length - 10))), (e) =>
    InvalidRequestError.isInstance(e),
  );
});

test("streaming replays the same sample as complete", async () => {
  let text = "";
  let result: ChatResult | undefined;
  for await (const e of lm.stream(ask(late.question), { ...createRunContext(), sampleOffset: 4 })) {
    if (e.type === "delta") text += e.content ?? "";
    if (e.type === "result") result = e.result;
  }
  assert.equal(text, late.samples[4]);
  assert.equal(result?.choices[0]?.message.content, late.samples[4]);
});

test("stop sequences and max_tokens cut a sample like a live model would", async () => {
  const long = lines.find((l) => l.samples[0]!.length > 40 && l.samples[0]!.includes(","))!;
  const stopped = await lm.complete({ ...ask(long.question), stop: [","] });
  assert.equal(stopped.choices[0]?.message.content, long.samples[0]!.slice(0, long.samples[0]!.indexOf(",")));
  assert.equal(stopped.choices[0]?.finish_reason, "stop");
  const cut = await lm.complete({ ...ask(long.question), max_tokens: 2 });
  assert.equal(cut.choices[0]?.message.content, long.samples[0]!.slice(0, 8));
  assert.equal(cut.choices[0]?.finish_reason, "length");
});

test("every one of the 800 questions is found when wrapped in a longer prompt", () => {
  const misses = lines.filter(
    (l) => lm.findRecord(ask(`Prefix text:${l.question}(end of question) Reply now.`))?.id !== l.id,
  );
  assert.deepEqual(
    misses.map((l) => l.id),
    [],
  );
});

test("a token budget caps a replayed sample even when the request sets a larger max_completion_tokens", async () => {
  const long = lines.find((l) => l.samples[0]!.length > 200)!;
  const ctx = createRunContext({ budget: { tokens: 100 } });
  const r = await lm.complete({ ...ask(long.question), max_completion_tokens: 4_000 }, ctx);
  assert.equal(r.choices[0]!.finish_reason, "length");
  assert.ok(r.usage.total_tokens <= 100, `the replay spent ${r.usage.total_tokens} tokens of 100`);
});
