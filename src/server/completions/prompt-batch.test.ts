import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { openaiLM } from "../../providers/openai/openai-lm.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import { scopedServer } from "../../testing/scoped-server.ts";
import { promptBatchLM } from "./prompt-batch.ts";

const withServer = scopedServer(startOpenAITestServer);
/** "slow" is answered after 1 s, "FAIL" fails (a 500) after 200 ms, anything else at once. */
const reply = async (request: any) => {
  const prompt = request.messages[0].content;
  if (prompt === "slow") await new Promise((r) => setTimeout(r, 1_000));
  if (prompt === "FAIL") {
    await new Promise((r) => setTimeout(r, 200));
    throw new Error("boom");
  }
  return "The sea is wide and deep.";
};
const request = { messages: [{ role: "user" as const, content: "" }] };

test("a reader that leaves a streamed batch early: every prompt's call is charged by the time it has left", async () => {
  await withServer({ reply }, async (server) => {
    const ctx = createRunContext();
    const lm = promptBatchLM(openaiLM({ model: "m", baseURL: server.url }), { prompts: ["fast", "slow"], n: 1 });
    for await (const event of lm.stream(request, ctx)) {
      if (event.type !== "delta") continue;
      while (server.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
      break;
    }
    // Whoever settles the run's spend now (a key's ledger) must see both calls, the slow one cut off.
    assert.equal(ctx.span.total.calls, 2);
  });
});

test("a failing prompt starts no other, lets those in flight finish, then fails the batch", async () => {
  await withServer({ reply }, async (server) => {
    const ctx = createRunContext();
    const lm = promptBatchLM(openaiLM({ model: "m", baseURL: server.url, retry: { retries: 0 } }), {
      prompts: ["slow", "FAIL", "never"],
      n: 1,
      concurrency: 2,
    });
    const started = Date.now();
    await assert.rejects(lm.complete(request, ctx), /500/);
    assert.ok(Date.now() - started >= 900, "the batch failed once the slow prompt was answered");
    assert.deepEqual(
      server.requests.map((q) => q.body.messages[0].content),
      ["slow", "FAIL"],
      "no prompt started after the failure",
    );
    assert.equal(server.requests[0]!.closedEarly, false, "the slow prompt was not cut off");
    assert.equal(server.reported.length, 1);
    assert.equal(ctx.span.total.calls, 1, "the answer is charged; the 500 is not billed");
  });
});
