import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import type { ChatRequest } from "../../core/types.ts";
import { openaiLM } from "../../providers/openai/openai-lm.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { stageOf, treeReplies } from "./testing/tree-lm.ts";
import { treeOfThoughts } from "./tree-of-thoughts.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "Use 4 6 1 1 to make 24." }] };
const values = { A: "likely", B: "sure", C: "impossible", BC: "sure" };

for (const rejectN of [false, true]) {
  test(`over the OpenAI provider and a real HTTP server${rejectN ? " that rejects n > 1" : ""}: the search, a streamed answer, exact usage`, async () => {
    const server = await startOpenAITestServer({ reply: treeReplies({ values }), behaviour: { rejectN } });
    try {
      const lm = openaiLM({ model: "test-model", baseURL: server.url, apiKey: "test" });
      const ctx = createRunContext();
      const { text, result } = await collectStream(treeOfThoughts(lm, { depth: 2 }).stream(ask, ctx));
      assert.equal(text, "ANSWER from B>BC");
      assert.equal(result.choices[0]!.finish_reason, "stop");
      const chats = server.requests.filter((r) => r.path === "/v1/chat/completions").map((r) => r.body as ChatRequest);
      const answered = chats.filter((b) => !(rejectN && (b.n ?? 1) > 1));
      // Proposals: 3 requests of n=3; or, once the first n=3 is refused, single samples from then on.
      assert.equal(chats.length - answered.length, rejectN ? 1 : 0);
      assert.equal(answered.filter((b) => stageOf(b) === "propose").length, rejectN ? 9 : 3);
      assert.equal(answered.filter((b) => stageOf(b) === "value").length, 9);
      assert.equal(chats.at(-1)!.stream, true, "the final answer is streamed from the server");
      assert.equal(result.usage.calls, answered.length);
      const reported = server.reported.reduce((s, u) => s + u.prompt_tokens + u.completion_tokens, 0);
      assert.equal(result.usage.total_tokens, reported, "usage is exactly what the server reported");
    } finally {
      await server.close();
    }
  });
}
