import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { selfConsistency } from "../../techniques/sample-many/self-consistency.ts";
import { cleanEnv, runCli } from "../../cli/testing/run-cli.ts";
import { startOpenAITestServer } from "../../testing/index.ts";
import type { Span } from "../span.ts";
import { createOtlpExporter } from "./otlp-exporter.ts";
import type { OtlpAttribute } from "./otlp-attributes.ts";
import type { OtlpTraceRequest } from "./otlp-spans.ts";
import { otlpSettings } from "./otlp-settings.ts";
import { exportingTraceStore } from "./exporting-trace-store.ts";
import { memoryTraceStore } from "../../server/trace-store.ts";

/** A collector stand-in on 127.0.0.1 that keeps every POST body and answers with `status`. */
let collector: {
  url: string;
  posts: { path: string; headers: IncomingHttpHeaders; body: OtlpTraceRequest }[];
  status: number;
  close(): Promise<void>;
};
before(async () => {
  const posts: { path: string; headers: IncomingHttpHeaders; body: OtlpTraceRequest }[] = [];
  const state = { status: 200 };
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (d) => (text += d));
    req.on("end", () => {
      posts.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(text) });
      res
        .writeHead(state.status, { "content-type": "application/json" })
        .end(state.status === 200 ? "{}" : '{"error":"collector down"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  collector = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    get status() {
      return state.status;
    },
    set status(s) {
      state.status = s;
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
});
const dir = mkdtempSync(join(tmpdir(), "lmx-otlp-"));
after(async () => {
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
});

const attr = (attrs: OtlpAttribute[], key: string) => {
  const v = attrs.find((a) => a.key === key)?.value as Record<string, unknown> | undefined;
  return v === undefined ? undefined : (Object.values(v)[0] as unknown);
};

async function votedTrace(): Promise<Span> {
  const lm = selfConsistency(
    scriptedLM((_r, { sampleIndex }) => `The answer is ${sampleIndex === 1 ? 5 : 4}`, {
      prices: { "scripted:test": { input: 3, output: 6 } },
    }),
    { n: 3 },
  );
  const ctx = createRunContext({ name: "ask" });
  await lm.complete({ messages: [{ role: "user", content: "What is 2+2?" }], temperature: 0.7, max_tokens: 50 }, ctx);
  return ctx.span;
}

test("spans arrive as OTLP/HTTP JSON with GenAI attributes, hex ids, parent links and unix-nano times", async () => {
  collector.posts.length = 0;
  const span = await votedTrace();
  const warnings: string[] = [];
  const exporter = createOtlpExporter({
    url: `${collector.url}/v1/traces`,
    headers: { "x-team": "evals" },
    warn: (m) => warnings.push(m),
  });
  exporter.export(span);
  await exporter.shutdown();
  assert.deepEqual(warnings, []);
  assert.equal(collector.posts.length, 1);
  const post = collector.posts[0]!;
  assert.equal(post.path, "/v1/traces");
  assert.equal(post.headers["content-type"], "application/json");
  assert.equal(post.headers["x-team"], "evals");
  const resource = post.body.resourceSpans[0]!;
  assert.equal(attr(resource.resource.attributes, "service.name"), "lmx");
  const spans = resource.scopeSpans[0]!.spans;
  const byName = (n: string) => spans.find((s) => s.name === n)!;
  const [root, technique, stage, lm] = [
    byName("ask"),
    byName("technique self-consistency"),
    byName("sample"),
    byName("chat test"),
  ];
  assert.ok(root && technique && stage && lm, `span names: ${spans.map((s) => s.name)}`);

  const hexTrace = span.traceId.replace(/-/g, "");
  for (const s of spans) {
    assert.equal(s.traceId, hexTrace);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.match(s.startTimeUnixNano, /^\d{19}$/);
    assert.ok(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano));
  }
  assert.equal(root.parentSpanId, undefined);
  assert.equal(technique.parentSpanId, root.spanId);
  assert.equal(stage.parentSpanId, technique.spanId);
  assert.equal(lm.parentSpanId, stage.spanId);
  assert.equal(BigInt(root.startTimeUnixNano), BigInt(span.start) * 1_000_000n);

  const call = span.children[0]!.children[0]!.children[0]!;
  assert.equal(lm.kind, 3, "LM calls are CLIENT spans");
  assert.equal(technique.kind, 1);
  assert.equal(attr(lm.attributes, "gen_ai.operation.name"), "chat");
  assert.equal(attr(lm.attributes, "gen_ai.provider.name"), "scripted");
  assert.equal(attr(lm.attributes, "gen_ai.system"), "scripted");
  assert.equal(attr(lm.attributes, "gen_ai.request.model"), "test");
  assert.equal(attr(lm.attributes, "gen_ai.response.model"), "test");
  assert.equal(attr(lm.attributes, "gen_ai.request.temperature"), 0.7);
  assert.equal(attr(lm.attributes, "gen_ai.request.max_tokens"), "50");
  assert.equal(attr(lm.attributes, "gen_ai.request.choice.count"), "3");
  assert.equal(attr(lm.attributes, "gen_ai.usage.input_tokens"), String(call.own.prompt_tokens));
  assert.equal(attr(lm.attributes, "gen_ai.usage.output_tokens"), String(call.own.completion_tokens));
  assert.equal(attr(lm.attributes, "lmx.cost_usd"), call.own.cost_usd);
  assert.deepEqual(attr(lm.attributes, "gen_ai.response.finish_reasons"), {
    values: [{ stringValue: "stop" }, { stringValue: "stop" }, { stringValue: "stop" }],
  });
  assert.equal(attr(lm.attributes, "gen_ai.input.messages"), undefined, "content is opt-in");
  const vote = technique.events.find((e) => e.name === "vote")!;
  assert.equal(attr(vote.attributes, "winner"), "4");
  assert.equal(attr(technique.attributes, "lmx.technique"), "self-consistency");
});

test("traces are batched; a failing collector costs one warning and never an exception", async () => {
  collector.posts.length = 0;
  const warnings: string[] = [];
  const exporter = createOtlpExporter({
    url: `${collector.url}/v1/traces`,
    batchSize: 2,
    warn: (m) => warnings.push(m),
  });
  for (let i = 0; i < 5; i++) exporter.export(await votedTrace());
  await exporter.flush();
  assert.deepEqual(
    collector.posts.map((p) => new Set(p.body.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.traceId)).size),
    [2, 2, 1],
  );

  collector.status = 500;
  for (let i = 0; i < 3; i++) exporter.export(await votedTrace());
  await exporter.flush();
  collector.status = 200;
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    /OTLP export to .* failed \(HTTP 500: .*collector down.*\); traces are not exported, the run goes on/,
  );

  const refused: string[] = [];
  const dead = createOtlpExporter({ url: "http://127.0.0.1:1/v1/traces", warn: (m) => refused.push(m) });
  dead.export(await votedTrace());
  dead.export(await votedTrace());
  await dead.shutdown();
  assert.equal(refused.length, 1);
});

test("an exporting trace store keeps the trace and sends it", async () => {
  collector.posts.length = 0;
  const exporter = createOtlpExporter({ url: `${collector.url}/v1/traces` });
  const store = exportingTraceStore(memoryTraceStore(), exporter);
  const span = await votedTrace();
  await store.add({ span, model: "m", stream: false });
  await exporter.flush();
  assert.equal((await store.get(span.traceId))?.id, span.traceId);
  assert.equal((await store.list()).length, 1);
  assert.equal(
    collector.posts[0]!.body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId,
    span.traceId.replace(/-/g, ""),
  );
});

test("settings come from OTEL_* variables over the config; headers are parsed", () => {
  assert.equal(otlpSettings({ env: {} }), undefined);
  assert.deepEqual(otlpSettings({ config: { otlp: { endpoint: "http://c:4318/", headers: { a: "1" } } }, env: {} }), {
    url: "http://c:4318/v1/traces",
    headers: { a: "1" },
    captureContent: false,
  });
  assert.equal(
    otlpSettings({
      config: { otlp: { endpoint: "http://c:4318" } },
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://env:4318" },
    })!.url,
    "http://env:4318/v1/traces",
  );
  assert.equal(
    otlpSettings({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://env:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t/x" },
    })!.url,
    "http://t/x",
  );
  assert.deepEqual(
    otlpSettings({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://e", OTEL_EXPORTER_OTLP_HEADERS: "api-key=a%20b, x = y ,bad" },
    })!.headers,
    { "api-key": "a b", x: "y" },
  );
  assert.equal(
    otlpSettings({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://e", OTEL_SDK_DISABLED: "true" } }),
    undefined,
  );
});

test("lmx ask exports its trace when OTEL_EXPORTER_OTLP_ENDPOINT is set", async () => {
  collector.posts.length = 0;
  const upstream = await startOpenAITestServer({ reply: () => "The answer is 4." });
  try {
    const run = await runCli(
      [
        "ask",
        "-m",
        "openai:test-model",
        "-t",
        "self-consistency(n=2)",
        "--json",
        "--temperature",
        "0.5",
        "What is 2+2?",
      ],
      {
        env: cleanEnv({
          OPENAI_BASE_URL: upstream.url,
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          LMX_TRACES: join(dir, "traces.sqlite"),
        }),
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    const spans = collector.posts.flatMap((p) => p.body.resourceSpans[0]!.scopeSpans[0]!.spans);
    const chat = spans.filter((s) => s.name === "chat test-model");
    assert.equal(chat.length, 1);
    assert.equal(chat[0]!.traceId, out.trace_id.replace(/-/g, ""));
    assert.equal(attr(chat[0]!.attributes, "gen_ai.provider.name"), "openai");
    assert.equal(attr(chat[0]!.attributes, "gen_ai.request.temperature"), 0.5);
    assert.equal(
      attr(chat[0]!.attributes, "gen_ai.usage.output_tokens"),
      String(upstream.reported[0]!.completion_tokens),
    );
  } finally {
    await upstream.close();
  }
});
