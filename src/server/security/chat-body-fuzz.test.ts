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
 * Property-based fuzz of the chat body (issue 9 §5-6): 10,000 bodies, from garbage text to nearly
 * valid requests with hostile model specs, sent through the real app (routing, guards, body reading,
 * validation, the resolver, a real upstream over HTTP). Never a 500, always an OpenAI-shaped answer,
 * never a secret. The counts are printed for the closing note. Bounded: 10,000 runs and a 120 s cap (38.7 s was
 * measured when every body was stopped at the Host guard; reaching the route, 10,000 took 55 s on 2 busy cores; the split
 * moves with the generators: 893 answered, 8,926 400s, 181 404s in the last run).
 */
const RUNS = 10_000;
let upstream: OpenAITestServer;
let server: ServerApp;
let resolver: ReturnType<typeof createModelResolver>;
const logged: string[] = [];

before(async () => {
  upstream = await startOpenAITestServer({});
  const config: LoadedConfig = {
    ...configSchema.parse({
      providers: { openai: { baseURL: upstream.url, apiKey: UPSTREAM_KEY, retries: 0, timeoutMs: 5000 } },
      aliases: { smart: "re2@openai:test-model" },
    }),
    env: {},
  };
  resolver = createModelResolver({ config });
  server = createServerApp({
    config,
    resolveModel: resolver,
    defaultModel: "openai:test-model",
    log: (l) => logged.push(l),
    server: { maxN: 4 },
  });
});

after(async () => {
  await resolver.close();
  await upstream.close();
});

const protoNames = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "prototype",
  "__defineGetter__",
];
const specs = fc.oneof(
  fc.constantFrom(
    "openai:test-model",
    "smart",
    "re2@openai:test-model",
    "re2",
    "self-consistency(n=2)@openai:test-model",
    "few-shot(k=1)@smart",
    "",
    " ",
  ),
  fc
    .constantFrom(...protoNames)
    .chain((p) => fc.constantFrom(p, `re2@${p}`, `${p}@openai:x`, `re2(${p}=1)@openai:test-model`)),
  fc.constantFrom(
    'tools(mcp_servers={"x":{"command":"sh"}})@openai:x',
    "few-shot(demos=/etc/passwd)@openai:x",
    "retrieve(index=/proc/self/environ)@openai:x",
    "llama:/etc/passwd",
    "memory(store=../x)@openai:x",
  ),
  fc
    .tuple(
      fc.constantFrom("re2", "self-consistency", "cascade", "few-shot", "tools", "retrieve", "nope"),
      fc.string({ maxLength: 30 }),
    )
    .map(([t, p]) => `${t}(${p})@openai:test-model`),
  fc.string({ maxLength: 40 }),
);
/** Mostly a valid value, sometimes anything: so most bodies get past validation and run. */
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 })) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: other });
const message = fc.oneof(
  fc.record({
    role: fc.constantFrom("user", "system", "assistant", "developer"),
    content: fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.constant(null),
      fc.array(fc.record({ type: fc.constantFrom("text", "image_url"), text: fc.string({ maxLength: 20 }) }), {
        maxLength: 3,
      }),
    ),
  }),
  fc.record({
    role: fc.constant("tool"),
    content: fc.string({ maxLength: 20 }),
    tool_call_id: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
  }),
  fc.jsonValue({ maxDepth: 3 }),
);
const body = fc.record(
  {
    model: mostly(specs),
    messages: mostly(
      fc.array(fc.record({ role: fc.constant("user"), content: fc.string({ maxLength: 40 }) }), {
        minLength: 1,
        maxLength: 2,
      }),
      fc.oneof(fc.array(message, { minLength: 1, maxLength: 3 }), fc.jsonValue({ maxDepth: 3 })),
    ),
    n: mostly(fc.integer({ min: 1, max: 3 }), fc.oneof(fc.integer({ min: -2, max: 6 }), fc.jsonValue({ maxDepth: 1 }))),
    temperature: mostly(
      fc.double({ min: 0, max: 2, noNaN: true }),
      fc.oneof(fc.double(), fc.jsonValue({ maxDepth: 1 })),
    ),
    max_tokens: mostly(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(null)), fc.integer()),
    stream: mostly(fc.boolean()),
    stream_options: fc.oneof(fc.constant(null), fc.record({ include_usage: fc.boolean() })),
    stop: mostly(
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }),
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 20 }),
    ),
    tools: fc.oneof(
      {
        weight: 3,
        arbitrary: fc.array(
          fc.record({
            type: fc.constant("function"),
            function: fc.record({
              name: fc.string({ minLength: 1, maxLength: 10 }),
              parameters: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 })),
            }),
          }),
          { maxLength: 2 },
        ),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
    lmx: fc.oneof(
      fc.constant(undefined),
      fc.constant(undefined),
      fc.constant(undefined),
      fc.record({ technique: specs }, { requiredKeys: [] }),
      fc.record({
        budget: fc.dictionary(
          fc.constantFrom("tokens", "calls", "time_ms", "cost_usd", "x"),
          fc.oneof(fc.double(), fc.jsonValue({ maxDepth: 1 })),
        ),
      }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    extra: fc.jsonValue({ maxDepth: 4 }),
  },
  { requiredKeys: [] },
);
/** Whole bodies: a JSON object (mostly), or raw text of any kind, truncated JSON, or deep nesting. */
const text = fc.oneof(
  { weight: 8, arbitrary: body.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: body.chain((b) => fc.nat({ max: 300 }).map((k) => JSON.stringify(b).slice(0, k))) },
  {
    weight: 1,
    arbitrary: fc
      .nat({ max: 3000 })
      .map(
        (d) =>
          `{"model":"openai:test-model","messages":[{"role":"user","content":"x"}],"x":${"[".repeat(d)}${"]".repeat(d)}}`,
      ),
  },
);

test(`fuzz: ${RUNS} chat bodies, never a 500, always OpenAI-shaped, never a secret`, { timeout: 150_000 }, async () => {
  const statuses = new Map<number, number>();
  let runs = 0;
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(text, async (raw) => {
      runs++;
      const res = await server.app.fetch(
        new Request("http://127.0.0.1/v1/chat/completions", {
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
      if (res.headers.get("content-type")?.includes("text/event-stream")) return;
      const json = JSON.parse(out);
      if (res.status >= 400)
        assert.ok(typeof json.error?.message === "string" && typeof json.error?.type === "string", out);
      else assert.equal(json.object, "chat.completion", out);
    }),
    { numRuns: RUNS, seed: 20261203, interruptAfterTimeLimit: 120_000, markInterruptAsFailure: true },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `fuzz: ${runs} bodies in ${seconds} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; 500s: ${statuses.get(500) ?? 0}`,
  );
  assert.ok(runs >= RUNS);
  // The bodies reach the route: many are answered, many refused as invalid (not all stopped at a guard).
  assert.ok((statuses.get(200) ?? 0) > RUNS / 20, "answered bodies");
  assert.ok((statuses.get(400) ?? 0) > RUNS / 10, "invalid bodies");
  assert.equal(server.gate.active, 0, "every request gave its slot back");
});
