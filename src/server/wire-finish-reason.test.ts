import assert from "node:assert/strict";
import { test } from "node:test";
import { startProxyFixture } from "./testing/proxy-fixture.ts";
import { wireFinishReason } from "./wire-finish-reason.ts";

const ask = { messages: [{ role: "user" as const, content: "What is 2 + 2?" }] };
const OPENAI_VALUES = ["stop", "length", "tool_calls", "content_filter", "function_call"];

test("lmx's own finish reasons map to OpenAI's values, keeping lmx's apart", () => {
  assert.deepEqual(wireFinishReason("stop"), { finish_reason: "stop" });
  assert.deepEqual(wireFinishReason("tool_calls"), { finish_reason: "tool_calls" });
  assert.deepEqual(wireFinishReason("budget"), { finish_reason: "length", lmx: "budget" });
  assert.deepEqual(wireFinishReason("partial"), { finish_reason: "stop", lmx: "partial" });
  assert.deepEqual(wireFinishReason("aborted"), { finish_reason: "stop", lmx: "aborted" });
  assert.deepEqual(wireFinishReason("something-new"), { finish_reason: "stop", lmx: "something-new" });
});

test("a budget stop reaches OpenAI clients as length, with lmx's reason in lmx_finish_reason and a header", async () => {
  // Two upstream calls fit: the draft and the critique; the refinement is cut, so the draft comes back.
  const f = await startProxyFixture({ reply: () => "The answer is 4." });
  try {
    const body = { ...ask, model: "self-refine(rounds=3)@openai:test-model", lmx: { budget: { calls: 2 } } };
    const { data, response } = await f.client.chat.completions.create(body as never).withResponse();
    const choice = data.choices[0]! as { finish_reason: string; lmx_finish_reason?: string };
    assert.equal(choice.finish_reason, "length");
    assert.equal(choice.lmx_finish_reason, "budget");
    assert.equal(response.headers.get("x-lmx-finish-reason"), "budget");

    const stream = await f.client.chat.completions.create({ ...body, stream: true } as never);
    const reasons: unknown[] = [];
    for await (const chunk of stream as unknown as AsyncIterable<{
      choices: { finish_reason: string | null; lmx_finish_reason?: string }[];
    }>)
      for (const c of chunk.choices) if (c.finish_reason) reasons.push([c.finish_reason, c.lmx_finish_reason]);
    assert.deepEqual(reasons, [["length", "budget"]]);
    // The trace says how both runs ended.
    const traces = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: { status: string }[] };
    assert.deepEqual(
      traces.data.slice(0, 2).map((t) => t.status),
      ["budget", "budget"],
    );
    for (const [reason] of reasons as [string][]) assert.ok(OPENAI_VALUES.includes(reason));
  } finally {
    await f.close();
  }
});

test("a plain answer carries no lmx_finish_reason and no header", async () => {
  const f = await startProxyFixture({ reply: () => "4" });
  try {
    const { data, response } = await f.client.chat.completions
      .create({ ...ask, model: "openai:test-model" })
      .withResponse();
    assert.equal(data.choices[0]!.finish_reason, "stop");
    assert.equal("lmx_finish_reason" in data.choices[0]!, false);
    assert.equal(response.headers.get("x-lmx-finish-reason"), null);
  } finally {
    await f.close();
  }
});

test("a client that aborts a request finds its trace marked aborted, not ok", async () => {
  // Each upstream call waits 300 ms, so the abort at 500 ms lands mid-search.
  const f = await startProxyFixture({ reply: () => "The answer is 4.", behaviour: { delayMs: 300 } });
  try {
    const controller = new AbortController();
    const pending = f.client.chat.completions.create(
      { ...ask, model: "mcts(iterations=8)@openai:test-model" },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 500);
    await assert.rejects(pending);
    let status: string | undefined;
    // Up to 15 s: the trace is written behind the response, later on a busy machine.
    for (let i = 0; i < 150 && status === undefined; i++) {
      const traces = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: { status: string }[] };
      status = traces.data[0]?.status;
      if (status === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, "aborted");
  } finally {
    await f.close();
  }
});
