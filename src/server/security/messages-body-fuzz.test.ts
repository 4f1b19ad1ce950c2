import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { configSchema } from "../../config/config-schema.ts";
import type { LoadedConfig } from "../../config/load-config.ts";
import { createModelResolver } from "../../providers/resolve-model.ts";
import { startOpenAITestServer, type OpenAITestServer } from "../../testing/openai-test-server.ts";
import { createServerApp, type ServerApp } from "../create-server-app.ts";
import { UPSTREAM_KEY } from "../testing/proxy-fixture.ts";

/**
 * Property-based fuzz of the Messages API body: 3,000 bodies, from garbage to nearly valid requests
 * with hostile models and blocks, through the real app and a real upstream over HTTP. Never a 500,
 * always Anthropic-shaped (a message, an event stream or an error), never a secret. Bounded: 3,000
 * runs and a 40 s cap.
 */
const RUNS = 3000;
let upstream: OpenAITestServer;
let server: ServerApp;
let resolver: ReturnType<typeof createModelResolver>;

before(async () => {
  upstream = await startOpenAITestServer({
    // Tool calls with arguments of any kind, so the answer side is fuzzed too.
    reply: (_r, i) =>
      i % 4 === 0
        ? { tool_calls: [{ id: `c${i}`, name: "f", arguments: i % 8 === 0 ? { a: 1 } : ({} as never) }] }
        : "ok",
  });
  const config: LoadedConfig = {
    ...configSchema.parse({
      providers: { openai: { baseURL: upstream.url, apiKey: UPSTREAM_KEY, retries: 0, timeoutMs: 5000 } },
      aliases: { smart: "re2@openai:test-model" },
    }),
    env: {},
  };
  resolver = createModelResolver({ config });
  server = createServerApp({ config, resolveModel: resolver, defaultModel: "openai:test-model", server: { maxN: 4 } });
});

after(async () => {
  await resolver.close();
  await upstream.close();
});

const specs = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "openai:test-model",
      "smart",
      "re2@openai:test-model",
      "self-consistency(n=2)@openai:test-model",
      "",
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "__proto__",
      "re2@constructor",
      'tools(mcp_servers={"x":{"command":"sh"}})@openai:x',
      "few-shot(demos=/etc/passwd)@openai:x",
      "llama:/etc/passwd",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 })) =>
  fc.oneof({ weight: 20, arbitrary: valid }, { weight: 1, arbitrary: other });
const block = fc.oneof(
  { weight: 8, arbitrary: fc.record({ type: fc.constant("text"), text: fc.string({ maxLength: 20 }) }) },
  fc.record({
    type: fc.constant("image"),
    source: fc.oneof(
      fc.record({
        type: fc.constant("base64"),
        media_type: fc.constantFrom("image/png", "text/x"),
        data: fc.base64String(),
      }),
      fc.record({ type: fc.constant("url"), url: fc.constantFrom("https://e.com/a.png", "file:///etc/passwd", "") }),
    ),
  }),
  fc.record({
    type: fc.constant("tool_use"),
    id: fc.string({ maxLength: 6 }),
    name: fc.string({ maxLength: 6 }),
    input: mostly(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }))),
  }),
  fc.record(
    {
      type: fc.constant("tool_result"),
      tool_use_id: fc.string({ maxLength: 6 }),
      content: fc.oneof(
        fc.string({ maxLength: 10 }),
        fc.array(fc.record({ type: fc.constant("text"), text: fc.string() })),
      ),
      is_error: fc.boolean(),
    },
    { requiredKeys: ["type", "tool_use_id"] },
  ),
  fc.record({ type: fc.constantFrom("thinking", "redacted_thinking", "document", "__proto__"), thinking: fc.string() }),
  fc.jsonValue({ maxDepth: 2 }),
) as fc.Arbitrary<unknown>;
const message = fc.record({
  role: mostly(fc.constantFrom("user", "assistant"), fc.constantFrom("system", "tool", "__proto__")),
  content: fc.oneof(fc.string({ maxLength: 30 }), fc.array(block, { maxLength: 3 })),
});
const body = fc.record(
  {
    model: mostly(specs),
    max_tokens: mostly(fc.integer({ min: 1, max: 100 }), fc.oneof(fc.integer(), fc.constant(null))),
    messages: mostly(fc.array(message, { minLength: 1, maxLength: 3 })),
    system: fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.array(fc.record({ type: fc.constant("text"), text: fc.string() })),
    ),
    stream: mostly(fc.boolean()),
    temperature: mostly(fc.double({ min: 0, max: 1, noNaN: true })),
    stop_sequences: mostly(fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })),
    tools: mostly(
      fc.array(
        fc.record({
          name: fc.string({ minLength: 1, maxLength: 8 }),
          input_schema: mostly(fc.record({ type: fc.constant("object") })),
        }),
        { maxLength: 2 },
      ),
    ),
    tool_choice: mostly(
      fc.oneof(
        fc.record({ type: fc.constantFrom("auto", "any", "none") }),
        fc.record({ type: fc.constant("tool"), name: fc.string({ maxLength: 4 }) }),
      ),
    ),
    thinking: mostly(
      fc.oneof(
        fc.record({ type: fc.constant("enabled"), budget_tokens: fc.integer({ min: -5, max: 100_000 }) }),
        fc.record({ type: fc.constantFrom("disabled", "adaptive", "x") }),
      ),
    ),
    metadata: mostly(fc.record({ user_id: fc.string({ maxLength: 8 }) })),
    lmx: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.record({ technique: specs }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
    extra: fc.jsonValue({ maxDepth: 3 }),
  },
  // What Anthropic requires is mostly there (and mostly valid), so many bodies get past validation and run.
  { requiredKeys: ["model", "max_tokens", "messages"] },
);
const text = fc.oneof(
  { weight: 8, arbitrary: body.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: body.chain((b) => fc.nat({ max: 300 }).map((k) => JSON.stringify(b).slice(0, k))) },
);

test(
  `fuzz: ${RUNS} Messages API bodies, never a 500, always Anthropic-shaped, never a secret`,
  { timeout: 60_000 },
  async () => {
    const statuses = new Map<number, number>();
    let runs = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(text, async (raw) => {
        runs++;
        const res = await server.app.fetch(
          new Request("http://127.0.0.1/v1/messages", {
            method: "POST",
            // A constructed Request has no Host; without one the loopback-host guard answers 403 to all.
            headers: { "content-type": "application/json", host: "127.0.0.1" },
            body: raw,
          }),
          { incoming: { socket: { remoteAddress: "127.0.0.1" } } },
        );
        const out = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.notEqual(res.status, 500, `500 for ${raw.slice(0, 300)}: ${out}`);
        assert.ok(!out.includes(UPSTREAM_KEY) && !out.includes("root:x:0"), "a secret or file content leaked");
        if (res.headers.get("content-type")?.includes("text/event-stream")) {
          const events = out.split("\n\n").filter(Boolean);
          assert.match(events[0]!, /^event: message_start\n/, out.slice(0, 200));
          assert.match(events.at(-1)!, /^event: (message_stop|error)\n/, out.slice(-300));
          return;
        }
        const json = JSON.parse(out);
        if (res.status >= 400) {
          assert.equal(json.type, "error", out);
          assert.ok(typeof json.error?.message === "string" && typeof json.error?.type === "string", out);
        } else assert.equal(json.type, "message", out);
      }),
      { numRuns: RUNS, seed: 20261207, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: true },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz: ${runs} bodies in ${seconds} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
    );
    assert.ok(runs >= RUNS);
    // The bodies reach the route: many are answered, many refused as invalid (not all stopped at a guard).
    assert.ok((statuses.get(200) ?? 0) > RUNS / 20, "answered bodies");
    assert.ok((statuses.get(400) ?? 0) > RUNS / 10, "invalid bodies");
    assert.equal(server.gate.active, 0, "every request gave its slot back");
  },
);
