import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { mixtureOfAgents } from "./mixture-of-agents.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "Name a use of graphene." }] };
const systemText = (r: ChatRequest) => (r.messages[0]!.role === "system" ? contentText(r.messages[0]!.content) : "");
const layerOf = (r: ChatRequest) => (systemText(r).includes("Responses from models") ? 2 : 1);

/** Three proposer models that share an in-flight counter; each answer names its model and layer. */
function proposers() {
  let inFlight = 0;
  const stats = { maxInFlight: 0 };
  const models = ["a", "b", "c"].map((name) =>
    scriptedLM(
      async (r) => {
        inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
        await sleep(25);
        inFlight--;
        return `${name}-layer${layerOf(r)} says batteries`;
      },
      { name },
    ),
  );
  return { models, stats };
}

test("layers=3: every proposer answers twice, concurrently, and each layer sees the previous layer's answers", async () => {
  const { models, stats } = proposers();
  const aggregator = scriptedLM(() => "Graphene is used in batteries and sensors.", { name: "agg" });
  const inner = scriptedLM(() => "inner should not be called");
  const ctx = createRunContext();
  const r = await mixtureOfAgents(inner, { models, aggregator, layers: 3 }).complete(ask, ctx);
  assert.equal(resultText(r), "Graphene is used in batteries and sensors.");
  assert.deepEqual(
    models.map((m) => m.calls.length),
    [2, 2, 2],
  );
  assert.equal(aggregator.calls.length, 1);
  assert.equal(inner.calls.length, 0);
  assert.equal(stats.maxInFlight, 3, "the proposers of a layer run at once");
  for (const m of models) {
    assert.equal(systemText(m.calls[0]!), "", "layer 1 answers the plain request");
    const second = systemText(m.calls[1]!);
    for (const n of ["a", "b", "c"])
      assert.ok(second.includes(`${n}-layer1 says batteries`), `layer 2 sees ${n}'s layer-1 answer`);
  }
  const agg = systemText(aggregator.calls[0]!);
  for (const n of ["a", "b", "c"])
    assert.ok(agg.includes(`${n}-layer2 says batteries`), `the aggregator sees ${n}'s layer-2 answer`);
  assert.ok(!agg.includes("layer1"), "the aggregator sees only the last proposer layer");
  assert.equal(
    contentText(aggregator.calls[0]!.messages.at(-1)!.content),
    "Name a use of graphene.",
    "the user's message is untouched",
  );
  assert.equal(r.usage.calls, 7, "usage is the sum of the 6 proposer calls and the aggregator call");
  assert.equal(ctx.span.children[0]!.events.filter((e) => e.name === "layer").length, 2);
});

test("without models the inner LM is sampled several times with distinct samples and then aggregates", async () => {
  const lm = scriptedLM((r, { sampleIndex }) => (layerOf(r) === 2 ? "final synthesis" : `proposal-${sampleIndex}`));
  const r = await mixtureOfAgents(lm).complete(ask);
  assert.equal(resultText(r), "final synthesis");
  assert.equal(lm.calls.length, 2);
  assert.equal(lm.calls[0]!.n, 3, "the default proposers are three samples in one request");
  const agg = systemText(lm.calls[1]!);
  for (const k of [0, 1, 2])
    assert.ok(agg.includes(`${k + 1}. proposal-${k}`), `proposal ${k} is numbered for the aggregator`);
});

test("an existing system prompt is kept and extended; request settings reach every call", async () => {
  const request: ChatRequest = {
    messages: [{ role: "system", content: "Answer in French." }, ...ask.messages],
    temperature: 0.2,
    max_tokens: 64,
  };
  const lm = scriptedLM((r, { sampleIndex }) => (layerOf(r) === 2 ? "Dans les batteries." : `p${sampleIndex}`));
  await mixtureOfAgents(lm, { proposers: 2 }).complete(request);
  const agg = lm.calls[1]!;
  assert.equal(agg.messages.length, 2);
  assert.ok(systemText(agg).startsWith("Answer in French.\n\n"));
  assert.ok(systemText(agg).includes("1. p0") && systemText(agg).includes("2. p1"));
  for (const c of lm.calls) assert.deepEqual([c.temperature, c.max_tokens], [0.2, 64]);
});

test("the aggregator's answer is streamed delta by delta", async () => {
  const { models } = proposers();
  const aggregator = scriptedLM(() => "Graphene makes batteries charge faster.", { name: "agg" });
  const { deltas, text, result } = await collectStream(mixtureOfAgents(aggregator, { models }).stream(ask));
  assert.ok(deltas.length > 1, "more than one delta");
  assert.equal(text, "Graphene makes batteries charge faster.");
  assert.equal(resultText(result), text);
  assert.equal(result.usage.calls, 4);
});

test("a budget stop before the aggregator returns a proposer's answer with finish_reason budget", async () => {
  const { models } = proposers();
  const aggregator = scriptedLM(() => "never", { name: "agg" });
  const r = await mixtureOfAgents(aggregator, { models }).complete(ask, createRunContext({ budget: { calls: 3 } }));
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(resultText(r), "a-layer1 says batteries");
  assert.equal(aggregator.calls.length, 0);
  const streamed = await collectStream(
    mixtureOfAgents(aggregator, { models }).stream(ask, createRunContext({ budget: { calls: 3 } })),
  );
  assert.equal(streamed.result.choices[0]!.finish_reason, "budget");
  assert.equal(streamed.text, "a-layer1 says batteries");
});

test("options are validated", () => {
  const lm = scriptedLM(() => "x");
  assert.throws(
    () => mixtureOfAgents(lm, { layers: 1 }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "layers",
  );
  assert.throws(
    () => mixtureOfAgents(lm, { models: ["gpt-4o" as never] }),
    (e) => InvalidRequestError.isInstance(e),
  );
  assert.throws(
    () => mixtureOfAgents(lm, { prompt: "Synthesise." }),
    (e) => InvalidRequestError.isInstance(e) && /\{responses\}/.test(e.message),
  );
  const other = scriptedLM(() => "y", { name: "other" });
  assert.equal(
    mixtureOfAgents(lm, { models: [lm, other], layers: 3 }).id,
    "mixture-of-agents(models=[scripted:test, scripted:other], layers=3)@scripted:test",
  );
});
