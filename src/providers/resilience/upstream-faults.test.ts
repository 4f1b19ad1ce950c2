import assert from "node:assert/strict";
import { before, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { ChatRequest, LM } from "../../core/types.ts";
import { collectEvents } from "../../testing/collect-events.ts";
import { startHostileUpstream, type HostileBehaviour, type HostileUpstream } from "../../testing/hostile-upstream.ts";
import { anthropicLM } from "../anthropic/anthropic-lm.ts";
import { openaiLM } from "../openai/openai-lm.ts";

// The SDKs load on a driver's first call; load them now so that the time bounds below count attempts
// and waits, not a module load on a busy machine.
before(async () => {
  await Promise.all([import("openai"), import("@anthropic-ai/sdk")]);
});

/**
 * The fault suite of the provider path: each hostile upstream must end a call within its bound.
 * Bounds are the configured limits plus a generous margin (2 s), since 2 shared cores can be slow.
 */
const MARGIN_MS = 2_000;
const ask: ChatRequest = { messages: [{ role: "user", content: "What is the capital of France?" }] };
const limits = {
  timeoutMs: 400,
  totalTimeoutMs: 1_000,
  idleTimeoutMs: 250,
  maxResponseBytes: 1024 * 1024,
  retry: { retries: 3, baseDelayMs: 1 },
};

async function withHostile(behaviour: HostileBehaviour, fn: (server: HostileUpstream) => Promise<void>) {
  const server = await startHostileUpstream(behaviour);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

const lms = (s: HostileUpstream, extra: object = {}): [string, LM][] => [
  ["openai", openaiLM({ model: "m", baseURL: s.url, ...limits, ...extra })],
  ["anthropic", anthropicLM({ model: "m", baseURL: s.origin, ...limits, ...extra })],
];

/** Runs `call`, asserts it fails as `check` says within `boundMs` + margin, and returns how long it took. */
async function failsWithin(
  call: () => Promise<unknown>,
  boundMs: number,
  check: (e: unknown) => boolean,
  label: string,
): Promise<number> {
  const started = performance.now();
  await assert.rejects(call(), (e) => check(e) || assert.fail(`${label}: ${String(e)}`));
  const took = performance.now() - started;
  assert.ok(took < boundMs + MARGIN_MS, `${label} took ${Math.round(took)} ms (bound ${boundMs} ms)`);
  return took;
}

/**
 * The size cases are about bytes, not time: they get time limits a loaded machine cannot hit (no
 * retries), so that only the size cap can end them; a few seconds is still far from reading 200 MB.
 */
const roomy = { timeoutMs: 20_000, totalTimeoutMs: 20_000, idleTimeoutMs: 20_000, retry: { retries: 0 } };
const ROOMY_MS = 6_000;

const upstream = (failure: UpstreamError["failure"]) => (e: unknown) =>
  UpstreamError.isInstance(e) && e.failure === failure;

test("an upstream that never answers costs at most totalTimeoutMs, not (retries + 1) × timeoutMs", async () => {
  await withHostile({ kind: "never-answer" }, async (s) => {
    for (const [name, lm] of lms(s)) {
      const before = s.posts;
      const took = await failsWithin(
        () => lm.complete(ask),
        limits.totalTimeoutMs,
        upstream("timeout"),
        `${name} never-answer`,
      );
      assert.ok(took >= limits.totalTimeoutMs - 50, "it did retry while the deadline allowed");
      assert.ok(s.posts - before >= 2 && s.posts - before <= 4, `${s.posts - before} attempts`);
    }
  });
});

test("headers then silence, or a body that stops halfway, ends at the idle timeout", async () => {
  await withHostile({ kind: "headers-only" }, async (s) => {
    for (const [name, lm] of lms(s, { retry: { retries: 0 } }))
      await failsWithin(() => lm.complete(ask), limits.idleTimeoutMs, upstream("timeout"), `${name} headers-only`);
    s.behaviour = { kind: "headers-only", contentType: "text/event-stream" };
    for (const [name, lm] of lms(s, { retry: { retries: 0 } }))
      await failsWithin(
        () => collectEvents(lm.stream(ask)),
        limits.idleTimeoutMs,
        upstream("timeout"),
        `${name} stream headers-only`,
      );
  });
});

test("a dripping body (a byte every 50 ms, never idle) ends at the attempt timeout and the call's deadline", async () => {
  await withHostile({ kind: "drip", everyMs: 50 }, async (s) => {
    for (const [name, lm] of lms(s))
      await failsWithin(() => lm.complete(ask), limits.totalTimeoutMs, upstream("timeout"), `${name} drip`);
    // SSE keep-alive comments are bytes too: the stream is still cut at the deadline.
    s.behaviour = { kind: "drip", everyMs: 50, chunk: ": ping\n\n", contentType: "text/event-stream" };
    for (const [name, lm] of lms(s))
      await failsWithin(
        () => collectEvents(lm.stream(ask)),
        limits.totalTimeoutMs,
        upstream("timeout"),
        `${name} stream drip`,
      );
  });
});

test("a 200 MB reply is cut at maxResponseBytes with bounded memory; so is a 1 GB gzip bomb", async () => {
  await withHostile({ kind: "huge-body", bytes: 200 * 1024 * 1024 }, async (s) => {
    const rss = process.memoryUsage().rss;
    for (const [name, lm] of lms(s, roomy))
      await failsWithin(() => lm.complete(ask), ROOMY_MS, upstream("malformed"), `${name} huge body`);
    s.behaviour = { kind: "gzip-bomb", bytes: 1024 * 1024 * 1024 };
    for (const [name, lm] of lms(s, roomy))
      await failsWithin(() => lm.complete(ask), ROOMY_MS, upstream("malformed"), `${name} gzip bomb`);
    const grown = (process.memoryUsage().rss - rss) / 1024 / 1024;
    // The whole replies would be 400 MB + 2 GB; what is read stays near the 1 MiB cap (plus buffers in flight).
    assert.ok(grown < 150, `RSS grew ${Math.round(grown)} MiB`);
    assert.ok(
      s.bytesSent < 200 * 1024 * 1024,
      `the server got to write only ${Math.round(s.bytesSent / 1024 / 1024)} MiB of 2.4 GB`,
    );
    await assert.rejects(
      openaiLM({ model: "m", baseURL: s.url, ...limits, ...roomy }).complete(ask),
      (e) => UpstreamError.isInstance(e) && /maxResponseBytes/.test(e.message),
    );
  });
});

test("a declared Content-Length over the cap is refused before the body is read", async () => {
  await withHostile({ kind: "raw", text: "x".repeat(2 * 1024 * 1024) }, async (s) => {
    for (const [name, lm] of lms(s, roomy))
      await failsWithin(() => lm.complete(ask), ROOMY_MS, upstream("malformed"), `${name} content-length`);
  });
});

test("Retry-After 600 (or retry-after-ms 900000) is not waited for: the 429 comes back now, with its Retry-After", async () => {
  for (const headers of [{ "retry-after": "600" }, { "retry-after-ms": "900000" }] as Record<string, string>[]) {
    await withHostile({ kind: "status", status: 429, headers }, async (s) => {
      for (const [name, lm] of lms(s)) {
        const before = s.posts;
        await failsWithin(
          () => lm.complete(ask),
          0,
          (e) => UpstreamError.isInstance(e) && e.status === 429 && (e.retryAfter === 600 || e.retryAfter === 900),
          `${name} ${JSON.stringify(headers)}`,
        );
        assert.equal(s.posts - before, 1, "no second attempt");
      }
      // The same under a run's time budget shorter than the wait, and for streams.
      const ctx = createRunContext({ budget: { time_ms: 5_000 } });
      await failsWithin(
        () => collectEvents(lms(s)[0]![1].stream(ask, ctx)),
        0,
        (e) => UpstreamError.isInstance(e) && e.status === 429,
        "stream 429",
      );
    });
  }
});

test("a connection reset mid-stream, and garbage JSON, are typed UpstreamErrors", async () => {
  const chunk = { id: "c", choices: [{ index: 0, delta: { content: "Par" }, finish_reason: null }] };
  await withHostile({ kind: "reset-mid-stream", events: [chunk] }, async (s) => {
    const [, openai] = lms(s)[0]!;
    await failsWithin(() => collectEvents(openai.stream(ask)), 0, upstream("connection"), "reset mid-stream");
    s.behaviour = { kind: "raw", text: '{"choices": [{"message": {"content": "Par' };
    for (const [name, lm] of lms(s))
      await failsWithin(
        () => lm.complete(ask),
        0,
        (e) => UpstreamError.isInstance(e),
        `${name} garbage`,
      );
  });
});
