import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { ChatRequest } from "../../core/types.ts";
import { collectEvents } from "../../testing/collect-events.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import { scopedServer } from "../../testing/scoped-server.ts";
import { openaiLM } from "./openai-lm.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "What is the capital of France?" }] };
const fast = { retry: { baseDelayMs: 1 } };

const withServer = scopedServer(startOpenAITestServer);

function sum(reported: { prompt_tokens: number; completion_tokens: number }[]) {
  return reported.reduce(
    (s, u) => ({ prompt: s.prompt + u.prompt_tokens, completion: s.completion + u.completion_tokens }),
    { prompt: 0, completion: 0 },
  );
}

test("a plain completion carries the server's answer and exactly the usage it reported", async () => {
  await withServer({ reply: () => "Paris is the capital of France." }, async (server) => {
    const ctx = createRunContext();
    const r = await openaiLM({ model: "test-model", baseURL: server.url }).complete(ask, ctx);
    assert.equal(r.choices[0]!.message.content, "Paris is the capital of France.");
    assert.equal(r.choices[0]!.finish_reason, "stop");
    assert.equal(server.reported.length, 1);
    assert.equal(r.usage.prompt_tokens, server.reported[0]!.prompt_tokens);
    assert.equal(r.usage.completion_tokens, server.reported[0]!.completion_tokens);
    assert.equal(r.usage.calls, 1);
    assert.equal(r.id, "chatcmpl-test-1");
    assert.equal(ctx.span.total.completion_tokens, 6, "usage rolled up into the run's span");
    assert.equal(
      server.requests[0]!.headers.authorization,
      "Bearer lmx-no-key",
      "a local server gets a placeholder key",
    );
  });
});

test("streamed deltas assemble to the full text and the final usage is the server's", async () => {
  const text = "The quick brown fox jumps over the lazy dog.";
  await withServer({ reply: () => text }, async (server) => {
    const { deltas, result } = await collectEvents(openaiLM({ model: "m", baseURL: server.url }).stream(ask));
    assert.ok(deltas.length >= 9, `got ${deltas.length} deltas`);
    assert.equal(deltas.map((d) => d.content ?? "").join(""), text);
    assert.equal(result.choices[0]!.message.content, text);
    assert.equal(result.usage.completion_tokens, server.reported[0]!.completion_tokens);
    assert.equal(result.usage.prompt_tokens, server.reported[0]!.prompt_tokens);
    assert.equal(server.requests[0]!.body.stream_options.include_usage, true);
  });
});

test("n=4 is one native call with four distinct choices", async () => {
  await withServer({}, async (server) => {
    const r = await openaiLM({ model: "m", baseURL: server.url }).complete({ ...ask, n: 4 });
    assert.deepEqual(
      r.choices.map((c) => c.message.content),
      ["answer 0", "answer 1", "answer 2", "answer 3"],
    );
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.body.n, 4);
    assert.equal(r.usage.completion_tokens, sum(server.reported).completion);
  });
});

test("n=4 against a server that rejects n falls back to four single calls", async () => {
  await withServer({ behaviour: { rejectN: true } }, async (server) => {
    const r = await openaiLM({ model: "m", baseURL: server.url, ...fast }).complete(
      { ...ask, n: 4 },
      createRunContext({ seed: 5 }),
    );
    assert.equal(r.choices.length, 4);
    assert.equal(new Set(r.choices.map((c) => c.message.content)).size, 4);
    assert.deepEqual(
      r.choices.map((c) => c.index),
      [0, 1, 2, 3],
    );
    assert.equal(server.requests.length, 5);
    assert.equal(server.requests[0]!.body.n, 4);
    assert.ok(server.requests.slice(1).every((q) => q.body.n === undefined));
    assert.equal(new Set(server.requests.slice(1).map((q) => q.body.seed)).size, 4, "each sample has its own seed");
    assert.equal(r.usage.calls, 4);
    const s = sum(server.reported);
    assert.equal(r.usage.prompt_tokens, s.prompt);
    assert.equal(r.usage.completion_tokens, s.completion);
  });
});

test("fewer choices than asked: the rest are fetched singly", async () => {
  await withServer({ behaviour: { maxChoices: 2 } }, async (server) => {
    const r = await openaiLM({ model: "m", baseURL: server.url }).complete({ ...ask, n: 4 });
    assert.equal(r.choices.length, 4);
    assert.equal(new Set(r.choices.map((c) => c.message.content)).size, 4);
    assert.deepEqual(
      server.requests.map((q) => q.body.n),
      [4, undefined, undefined],
    );
    assert.equal(r.usage.calls, 3);
  });
});

test("a 429 with Retry-After is retried after the time the server asked for", async () => {
  await withServer(
    { behaviour: { failFirst: { count: 1, status: 429, retryAfter: 1, message: "slow down" } } },
    async (server) => {
      const ctx = createRunContext();
      const r = await openaiLM({ model: "m", baseURL: server.url, ...fast }).complete(ask, ctx);
      assert.equal(r.choices[0]!.message.content, "answer 0");
      assert.equal(server.requests.length, 2);
      const retries = ctx.span.children[0]!.events.filter((e) => e.name === "retry");
      assert.equal(retries.length, 1);
      assert.ok((retries[0]!.data.delay_ms as number) >= 1000, "the wait honoured Retry-After");
      assert.match(retries[0]!.data.error as string, /429: slow down/);
      assert.equal(r.usage.calls, 1, "the failed attempt cost nothing");
    },
  );
});

test("a streamed request retries a 429 after the time the server asked for, and not past its time budget", async () => {
  await withServer(
    { behaviour: { failFirst: { count: 1, status: 429, retryAfter: 1, message: "slow down" } } },
    async (server) => {
      const lm = openaiLM({ model: "m", baseURL: server.url, ...fast });
      const ctx = createRunContext();
      const { result } = await collectEvents(lm.stream(ask, ctx));
      assert.equal(result.choices[0]!.message.content, "answer 0");
      assert.equal(server.requests.length, 2);
      const retries = ctx.span.children[0]!.events.filter((e) => e.name === "retry");
      assert.equal(retries.length, 1);
      assert.ok((retries[0]!.data.delay_ms as number) >= 1000, "the wait honoured Retry-After");

      server.behaviour.failFirst = { count: 3, status: 429, retryAfter: 5 };
      const tight = createRunContext({ budget: { time_ms: 1_000 } });
      await assert.rejects(
        collectEvents(lm.stream(ask, tight)),
        (e) => UpstreamError.isInstance(e) && e.status === 429 && e.retryAfter === 5,
      );
      assert.equal(server.requests.length, 3, "no second attempt: waiting 5 s would outlast the 1 s budget");
    },
  );
});

test("a 500 is retried, then succeeds", async () => {
  await withServer({ behaviour: { failFirst: { count: 1, status: 500 } } }, async (server) => {
    const r = await openaiLM({ model: "m", baseURL: server.url, ...fast }).complete(ask);
    assert.equal(r.choices[0]!.message.content, "answer 0");
    assert.equal(server.requests.length, 2);
  });
});

test("a non-retryable 400 surfaces the upstream's own message", async () => {
  await withServer(
    { behaviour: { failFirst: { count: 1, status: 400, message: "model 'x' does not exist" } } },
    async (server) => {
      await assert.rejects(openaiLM({ model: "m", baseURL: server.url, ...fast }).complete(ask), (e) => {
        assert.ok(UpstreamError.isInstance(e));
        assert.equal(e.status, 400);
        assert.equal(e.failure, "http");
        assert.equal(e.upstreamMessage, "model 'x' does not exist");
        return true;
      });
      assert.equal(server.requests.length, 1);
    },
  );
});

test("an upstream slower than timeoutMs fails with a timeout", async () => {
  await withServer({ behaviour: { delayMs: 5000 } }, async (server) => {
    const lm = openaiLM({ model: "m", baseURL: server.url, timeoutMs: 100, retry: { retries: 0 } });
    await assert.rejects(lm.complete(ask), (e) => UpstreamError.isInstance(e) && e.failure === "timeout");
    await until(() => server.requests[0]?.closedEarly === true);
  });
});

test("malformed upstream JSON is a 'malformed' error that says what was wrong", async () => {
  await withServer({ behaviour: { malformed: "invalid-json" } }, async (server) => {
    const lm = openaiLM({ model: "m", baseURL: server.url, ...fast });
    await assert.rejects(
      lm.complete(ask),
      (e) => UpstreamError.isInstance(e) && e.failure === "malformed" && /not valid JSON/.test(e.message),
    );
    await assert.rejects(
      collectEvents(lm.stream(ask)),
      (e) => UpstreamError.isInstance(e) && e.failure === "malformed",
    );
    server.behaviour.malformed = "incomplete";
    await assert.rejects(
      lm.complete(ask),
      (e) => UpstreamError.isInstance(e) && e.failure === "malformed" && /no "choices"/.test(e.message),
    );
    assert.equal(server.requests.length, 3, "malformed answers are not retried");
  });
});

test("a dropped connection is retried, then a typed connection error", async () => {
  await withServer({ behaviour: { dropConnection: true } }, async (server) => {
    const lm = openaiLM({ model: "m", baseURL: server.url, retry: { retries: 2, baseDelayMs: 1 } });
    await assert.rejects(
      lm.complete(ask),
      (e) => UpstreamError.isInstance(e) && e.failure === "connection" && e.isRetryable,
    );
    assert.equal(server.requests.length, 3);
  });
  await withServer({ behaviour: { dropConnection: 1 } }, async (server) => {
    const r = await openaiLM({ model: "m", baseURL: server.url, ...fast }).complete(ask);
    assert.equal(r.choices[0]!.message.content, "answer 0");
    assert.equal(server.requests.length, 2);
  });
});

test("a connection lost mid-stream is a typed connection error, not a silently short answer", async () => {
  await withServer(
    { reply: () => "one two three four five six", behaviour: { dropAfterEvents: 3 } },
    async (server) => {
      const lm = openaiLM({ model: "m", baseURL: server.url, ...fast });
      await assert.rejects(
        collectEvents(lm.stream(ask)),
        (e) => UpstreamError.isInstance(e) && e.failure === "connection",
      );
      assert.equal(server.requests.length, 1, "no retry once deltas reached the caller");
    },
  );
});

test("a stream the server closes cleanly before the answer is finished is an error, not a short answer", async () => {
  await withServer({ reply: () => "one two three four five six", behaviour: { endAfterEvents: 3 } }, async (server) => {
    const lm = openaiLM({ model: "m", baseURL: server.url, ...fast });
    await assert.rejects(
      collectEvents(lm.stream(ask)),
      (e) =>
        UpstreamError.isInstance(e) && e.failure === "connection" && /before the answer was finished/.test(e.message),
    );
    assert.equal(server.requests.length, 1, "no retry once deltas reached the caller");
  });
});

test("a stream cut off after text was generated still counts its call, with estimated tokens, and closes its span", async () => {
  await withServer({ reply: () => "one two three four five six", behaviour: { chunkDelayMs: 20 } }, async (server) => {
    const lm = openaiLM({ model: "m", baseURL: server.url, ...fast });
    // The reader stops after the first delta.
    const ctx = createRunContext({ budget: { calls: 1 } });
    for await (const event of lm.stream(ask, ctx)) if (event.type === "delta") break;
    const span = ctx.span.children[0]!;
    assert.ok(span.end !== undefined, "the span is closed");
    assert.equal(span.own.calls, 1);
    assert.ok(span.own.prompt_tokens > 0 && span.own.completion_tokens > 0);
    assert.equal(span.attributes.usage_estimated, true);
    assert.equal(ctx.budget.used.calls, 1);
    await assert.rejects(lm.complete(ask, ctx), (e) => BudgetExceededError.isInstance(e) && e.limit === "calls");
    assert.equal(server.requests.length, 1);

    // The caller aborts mid-stream.
    const controller = new AbortController();
    const aborted = createRunContext({ signal: controller.signal });
    await assert.rejects(
      async () => {
        for await (const event of lm.stream(ask, aborted)) if (event.type === "delta") controller.abort();
      },
      (e) => AbortedError.isInstance(e),
    );
    assert.equal(aborted.span.total.calls, 1);
    assert.ok(aborted.span.total.completion_tokens > 0);
    assert.equal(aborted.span.children[0]!.status, "error");
  });
});

/** A model that talks until max_tokens stops it (60 words when nothing does), as real models do. */
const talkative = (body: { max_tokens?: number; max_completion_tokens?: number }) => {
  const cap = body.max_completion_tokens ?? body.max_tokens ?? Infinity;
  const words = Math.min(60, cap);
  return {
    content: Array.from({ length: words }, (_, i) => `w${i}`).join(" "),
    finish_reason: words < 60 ? "length" : "stop",
  };
};

test("concurrent calls under a token budget never spend more than it, whether n is split or native", async () => {
  for (const rejectN of [true, false]) {
    await withServer({ reply: talkative, behaviour: { rejectN } }, async (server) => {
      const ctx = createRunContext({ budget: { tokens: 150 } });
      const lm = openaiLM({ model: "m", baseURL: server.url, ...fast });
      const results = await Promise.allSettled([
        lm.complete({ ...ask, n: 4 }, ctx),
        lm.complete(ask, { ...ctx, sampleOffset: 10 }),
      ]);
      const spent = sum(server.reported);
      assert.ok(
        spent.prompt + spent.completion <= 150,
        `${rejectN ? "split" : "native"} n: the upstream reported ${spent.prompt + spent.completion} tokens against a budget of 150`,
      );
      assert.equal(ctx.budget.used.tokens, spent.prompt + spent.completion);
      assert.ok(
        results.some((r) => r.status === "fulfilled"),
        "the budget paid for some answers",
      );
      for (const r of results)
        if (r.status === "rejected") assert.ok(BudgetExceededError.isInstance(r.reason), String(r.reason));
    });
  }
});

test("calls that ask for few tokens still run side by side under a token budget, all of them", async () => {
  await withServer({ reply: talkative, behaviour: { rejectN: true } }, async (server) => {
    const ctx = createRunContext({ budget: { tokens: 1_000 } });
    const r = await openaiLM({ model: "m", baseURL: server.url, ...fast }).complete(
      { ...ask, n: 4, max_tokens: 20 },
      ctx,
    );
    assert.equal(r.choices.length, 4);
    assert.ok(
      server.requests.every((q) => q.body.max_tokens === 20),
      "the caller's own cap was affordable and kept",
    );
  });
});

test("a cost budget caps max_tokens so that the completion cannot cost more than is left", async () => {
  await withServer({ reply: talkative }, async (server) => {
    // $1 per completion token: a $25 budget affords the prompt's estimate and well under 60 words.
    const prices = { "openai:m": { input: 0, output: 1_000_000 } };
    const ctx = createRunContext({ budget: { cost_usd: 25 } });
    const r = await openaiLM({ model: "m", baseURL: server.url, prices, ...fast }).complete(ask, ctx);
    assert.equal(server.requests[0]!.body.max_tokens, 25);
    assert.equal(r.usage.cost_usd, 25);
    assert.equal(r.choices[0]!.finish_reason, "length");
  });
});

test("a budget with no calls left stops the call before it reaches the server", async () => {
  await withServer({}, async (server) => {
    const lm = openaiLM({ model: "m", baseURL: server.url });
    await assert.rejects(lm.complete(ask, createRunContext({ budget: { calls: 0 } })), (e) =>
      BudgetExceededError.isInstance(e),
    );
    await assert.rejects(collectEvents(lm.stream(ask, createRunContext({ budget: { calls: 0 } }))), (e) =>
      BudgetExceededError.isInstance(e),
    );
    assert.equal(server.requests.length, 0);
  });
});

test("an abort stops a streaming request and the server sees the client leave", async () => {
  const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");
  await withServer({ reply: () => words, behaviour: { chunkDelayMs: 30 } }, async (server) => {
    const controller = new AbortController();
    const seen: string[] = [];
    const run = async () => {
      for await (const e of openaiLM({ model: "m", baseURL: server.url }).stream(
        ask,
        createRunContext({ signal: controller.signal }),
      )) {
        if (e.type === "delta" && e.content) {
          seen.push(e.content);
          if (seen.length === 2) controller.abort();
        }
      }
    };
    await assert.rejects(run(), (e) => AbortedError.isInstance(e));
    assert.ok(seen.length < 40, `only part of the answer arrived (${seen.length} deltas)`);
    await until(() => server.requests[0]?.closedEarly === true);
    assert.equal(server.reported.length, 0, "the server never finished the answer");
  });
});

/** Waits (bounded) for something the server notices asynchronously. */
async function until(condition: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) assert.fail("condition not reached");
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("a request the server rejects for another reason than n does not switch later n>1 requests to a call per sample", async () => {
  await withServer({}, async (server) => {
    const lm = openaiLM({ model: "m", baseURL: server.url, ...fast });
    server.behaviour.failFirst = { count: 4, status: 400, message: "Invalid schema for function 'f'" };
    await assert.rejects(lm.complete({ ...ask, n: 3 }), (e) => UpstreamError.isInstance(e) && e.status === 400);
    const good = await lm.complete({ ...ask, n: 3 });
    assert.equal(good.choices.length, 3);
    assert.equal(server.requests.at(-1)!.body.n, 3, "still one call for three samples");
    assert.equal(good.usage.calls, 1);
  });
});
