import assert from "node:assert/strict";
import { test } from "node:test";
import type OpenAI from "openai";
import { startProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { completionId, textFinishFields } from "./completions-response.ts";

type Choice = OpenAI.Completions.CompletionChoice & { lmx_finish_reason?: string };

async function traceStatuses(f: ProxyFixture): Promise<string[]> {
  const traces = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: { status: string }[] };
  return traces.data.map((t) => t.status);
}

/** The newest trace's status, once it is written (behind the response: later on a busy machine; up to 15 s). */
async function lastTraceStatus(f: ProxyFixture): Promise<string | undefined> {
  for (let i = 0; i < 150; i++) {
    const [status] = await traceStatuses(f);
    if (status !== undefined) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

test("only the Completions API's finish reasons go on the wire; lmx's own and chat's tool_calls ride apart", () => {
  assert.deepEqual(textFinishFields("stop"), { finish_reason: "stop" });
  assert.deepEqual(textFinishFields("length"), { finish_reason: "length" });
  assert.deepEqual(textFinishFields("content_filter"), { finish_reason: "content_filter" });
  assert.deepEqual(textFinishFields("budget"), { finish_reason: "length", lmx_finish_reason: "budget" });
  assert.deepEqual(textFinishFields("partial"), { finish_reason: "stop", lmx_finish_reason: "partial" });
  assert.deepEqual(textFinishFields("aborted"), { finish_reason: "stop", lmx_finish_reason: "aborted" });
  assert.deepEqual(textFinishFields("tool_calls"), { finish_reason: "stop", lmx_finish_reason: "tool_calls" });
  assert.deepEqual(textFinishFields("function_call"), { finish_reason: "stop", lmx_finish_reason: "function_call" });
  assert.equal(completionId("chatcmpl-abc"), "cmpl-abc");
  assert.equal(completionId("cmpl-abc"), "cmpl-abc");
  assert.equal(completionId("lmx-1"), "cmpl-lmx-1");
});

test("a budget stop reaches completions clients as length, with lmx's reason in lmx_finish_reason and a header", async () => {
  // Two upstream calls fit: the draft and the critique; the refinement is cut, so the draft comes back.
  const f = await startProxyFixture({ reply: () => "The answer is 4." });
  try {
    const body = {
      model: "self-refine(rounds=3)@openai:test-model",
      prompt: "What is 2 + 2?",
      max_tokens: 50,
      lmx: { budget: { calls: 2 } },
    };
    const { data, response } = await f.client.completions.create(body as never).withResponse();
    const choice = (data as OpenAI.Completions.Completion).choices[0] as Choice;
    assert.equal(choice.text, "The answer is 4.");
    assert.equal(choice.finish_reason, "length");
    assert.equal(choice.lmx_finish_reason, "budget");
    assert.deepEqual(Object.keys(choice).sort(), ["finish_reason", "index", "lmx_finish_reason", "logprobs", "text"]);
    assert.equal(response.headers.get("x-lmx-finish-reason"), "budget");

    const stream = await f.client.completions.create({ ...body, stream: true } as never);
    const reasons: unknown[] = [];
    for await (const chunk of stream as unknown as AsyncIterable<{ choices: Choice[] }>)
      for (const c of chunk.choices) if (c.finish_reason) reasons.push([c.finish_reason, c.lmx_finish_reason]);
    assert.deepEqual(reasons, [["length", "budget"]]);
    assert.deepEqual((await traceStatuses(f)).slice(0, 2), ["budget", "budget"]);
  } finally {
    await f.close();
  }
});

test("a batch the budget cannot finish: answered prompts keep their answers, the rest end as budget stops", async () => {
  const f = await startProxyFixture({ reply: (r: any) => `re ${r.messages[0].content}` });
  try {
    for (const stream of [false, true]) {
      f.upstream.requests.length = 0;
      const res = await fetch(`${f.proxy.url}/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "openai:test-model",
          prompt: ["a", "b", "c"],
          stream,
          lmx: { budget: { calls: 2 } },
        }),
      });
      assert.equal(res.status, 200);
      const text = await res.text();
      const choices: Choice[] = stream
        ? text
            .split("\n\n")
            .filter((l) => l.startsWith("data: {"))
            .flatMap((l) => JSON.parse(l.slice(6)).choices)
            .filter((c: Choice) => c.finish_reason)
        : JSON.parse(text).choices;
      assert.equal(f.upstream.requests.length, 2, `stream ${stream}: two calls fit`);
      const ended = choices.map((c) => [c.finish_reason, c.lmx_finish_reason ?? null]).sort();
      assert.deepEqual(ended, [
        ["length", "budget"],
        ["stop", null],
        ["stop", null],
      ]);
      const cut = choices.find((c) => c.lmx_finish_reason === "budget")!;
      const answered = (JSON.parse(JSON.stringify(f.upstream.requests)) as { body: any }[]).map(
        (q) => q.body.messages[0].content,
      );
      assert.ok(!answered.includes(["a", "b", "c"][cut.index]), "the cut prompt is the one never sent");
      if (!stream) assert.equal(cut.text, "");
    }

    // No room for any prompt: the request fails as a chat request would.
    const none = await fetch(`${f.proxy.url}/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai:test-model", prompt: ["a", "b"], lmx: { budget: { calls: 0 } } }),
    });
    assert.equal(none.status, 400);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, "budget_exceeded");
  } finally {
    await f.close();
  }
});

test("an upstream failure on one prompt fails the request (502) once the prompts in flight have ended, each charged", async () => {
  // "FAIL" fails (a 500) after 300 ms; the other prompts are answered after 1 s.
  const f = await startProxyFixture({
    reply: async (request: any) => {
      const prompt = request.messages[0].content;
      await new Promise((r) => setTimeout(r, prompt === "FAIL" ? 300 : 1000));
      if (prompt === "FAIL") throw new Error("boom");
      return "ok";
    },
  });
  try {
    // The technique reports progress as its prompt is answered: none may start the streamed response.
    const runs = [
      { stream: false, model: "openai:test-model" },
      { stream: true, model: "openai:test-model" },
      { stream: true, model: "majority-vote(n=1)@openai:test-model" },
    ];
    for (const [round, { stream, model }] of runs.entries()) {
      f.upstream.requests.length = 0;
      f.upstream.reported.length = 0;
      const started = Date.now();
      const res = await fetch(`${f.proxy.url}/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, prompt: ["a", "b", "c", "FAIL"], stream }),
      });
      // Streamed too: what the other prompts said is not sent, so the failure is a proper status.
      assert.equal(res.status, 502, `${model} stream ${stream}`);
      const body = (await res.json()) as { error: { type: string; message: string } };
      assert.equal(body.error.type, "upstream_error");
      assert.ok(Date.now() - started >= 900, `${model} stream ${stream}: the answer came after the prompts in flight`);
      assert.equal(f.upstream.requests.length, 4);
      assert.ok(
        f.upstream.requests.every((q) => !q.closedEarly),
        `${model} stream ${stream}: no prompt's call was cancelled`,
      );
      assert.equal(f.upstream.reported.length, 3, `${model} stream ${stream}: the three other prompts were answered`);
      assert.equal(f.proxy.gate.active, 0, "the slot was given back");
      assert.equal(await lastTraceStatus(f), "error");
      let traces: { usage: { calls: number; completion_tokens: number } }[] = [];
      for (let i = 0; i < 150 && traces.length <= round; i++) {
        traces = ((await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: typeof traces }).data;
        if (traces.length <= round) await new Promise((r) => setTimeout(r, 100));
      }
      // Every upstream call but the 500 (providers bill no HTTP error) is in the trace, with what it reported.
      assert.equal(traces[0]!.usage.calls, f.upstream.reported.length, `${model} stream ${stream}`);
      assert.equal(
        traces[0]!.usage.completion_tokens,
        f.upstream.reported.reduce((sum, u) => sum + u.completion_tokens, 0),
        `${model} stream ${stream}`,
      );
    }
  } finally {
    await f.close();
  }
});

test("a client that aborts a stream mid-way finds its trace marked aborted, and the work stops", async () => {
  // Each upstream call waits 300 ms and the search makes one after another: the abort after the first
  // chunk (a progress report) lands mid-search.
  const f = await startProxyFixture({ reply: () => "The answer is 4.", behaviour: { delayMs: 300 } });
  try {
    const controller = new AbortController();
    const stream = await f.client.completions.create(
      { model: "mcts(iterations=8)@openai:test-model", prompt: ["a", "b", "c"], stream: true },
      { signal: controller.signal },
    );
    let chunks = 0;
    // The SDK ends the iteration quietly when its signal aborts.
    for await (const _chunk of stream) {
      chunks++;
      controller.abort();
    }
    // The three prompts run side by side: their first reports may arrive together.
    assert.ok(chunks >= 1 && chunks <= 3, `${chunks} chunks`);
    assert.equal(await lastTraceStatus(f), "aborted");
    const calls = f.upstream.requests.length;
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(f.upstream.requests.length, calls, "no call started after the abort");
    assert.ok(calls < 12, `${calls} calls were made`);
    assert.equal(f.proxy.gate.active, 0);
  } finally {
    await f.close();
  }
});
