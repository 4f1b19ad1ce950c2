import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openTraceStore } from "../../store/trace-store/sqlite-trace-store.ts";
import { writeBehindTraceStore } from "../../store/trace-store/write-behind-trace-store.ts";
import { toOtlpRequest } from "../../trace/otlp/otlp-spans.ts";
import { startProxyFixture } from "../testing/proxy-fixture.ts";

test("previous_response_id works over the SQLite trace store lmx serve uses, across a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lmx-stored-responses-"));
  const path = join(dir, "traces.sqlite");
  try {
    const reply = (request: any) => `seen ${request.messages.length} messages`;
    const saved = openTraceStore({ path });
    const first = await startProxyFixture({ reply, traces: writeBehindTraceStore(saved) });
    let id: string;
    try {
      const r = await first.client.responses.create({ model: "gpt-4o-mini", input: "remember 7", instructions: "x" });
      id = r.id;
      const next = await first.client.responses.create({
        model: "gpt-4o-mini",
        input: "and?",
        previous_response_id: id,
      });
      // Instructions are not carried over: user, assistant, user.
      assert.equal(next.output_text, "seen 3 messages");
    } finally {
      await first.close();
      saved.close();
    }
    const reopened = openTraceStore({ path });
    const second = await startProxyFixture({ reply, traces: reopened });
    try {
      const r = await second.client.responses.create({
        model: "gpt-4o-mini",
        input: "again",
        previous_response_id: id,
      });
      assert.equal(r.output_text, "seen 3 messages");
      assert.deepEqual(
        second.upstream.requests[0]!.body.messages.map((m: any) => m.content),
        ["remember 7", "seen 2 messages", "again"],
      );
    } finally {
      await second.close();
      reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a stored conversation is content: OTLP export leaves it out", async () => {
  const f = await startProxyFixture({ reply: () => "private answer" });
  try {
    const r = await f.client.responses.create({ model: "gpt-4o-mini", input: "private question" });
    const trace = (await (await fetch(`${f.proxy.url}/traces/${r.id.slice(5)}`)).json()) as { root: any };
    assert.ok(trace.root.attributes["lmx.response"], "kept with the trace");
    const exported = JSON.stringify(toOtlpRequest([trace.root]));
    assert.doesNotMatch(exported, /private (question|answer)/);
  } finally {
    await f.close();
  }
});

/** POST /v1/responses with a plain fetch, to see statuses and error bodies as they are. */
async function postResponse(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${url}/responses`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

test("a stored conversation the trace store cut is refused for continuation, not continued cut", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lmx-stored-cut-"));
  const saved = openTraceStore({ path: join(dir, "traces.sqlite"), maxFieldBytes: 1024 });
  const f = await startProxyFixture({ reply: () => "ok", traces: saved });
  try {
    const long = await f.client.responses.create({ model: "gpt-4o-mini", input: "x".repeat(5000) });
    const r = await postResponse(f.proxy.url, { model: "gpt-4o-mini", input: "and?", previous_response_id: long.id });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.error.code, "stored_response_truncated");
    assert.equal(f.upstream.requests.length, 1, "the cut conversation never reached the model");
    const short = await f.client.responses.create({ model: "gpt-4o-mini", input: "short" });
    const ok = await postResponse(f.proxy.url, { model: "gpt-4o-mini", input: "and?", previous_response_id: short.id });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  } finally {
    await f.close();
    saved.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("item references are bounded: their conversation by the body limit, their stored responses by count", async () => {
  const f = await startProxyFixture({ reply: () => "y".repeat(200), server: { maxBodyBytes: 64 * 1024 } });
  try {
    const first = await f.client.responses.create({ model: "gpt-4o-mini", input: "hi" });
    const ref = { type: "item_reference", id: first.output[0]!.id };
    // 400 references of a few dozen bytes each expand to over 100 KB of conversation.
    const big = await postResponse(f.proxy.url, { model: "gpt-4o-mini", input: Array(400).fill(ref) });
    assert.equal(big.status, 413, JSON.stringify(big.body));
    assert.equal(big.body.error.code, "request_too_large");
    const few = await postResponse(f.proxy.url, { model: "gpt-4o-mini", input: Array(50).fill(ref) });
    assert.equal(few.status, 200, "one stored response read for all 50 references");

    const refs = [ref];
    for (let i = 0; i < 64; i++) {
      const r = await f.client.responses.create({ model: "gpt-4o-mini", input: `turn ${i}` });
      refs.push({ type: "item_reference", id: r.output[0]!.id });
    }
    const many = await postResponse(f.proxy.url, { model: "gpt-4o-mini", input: refs });
    assert.equal(many.status, 400, JSON.stringify(many.body));
    assert.equal(many.body.error.code, "too_many_references");
    const allowed = await postResponse(f.proxy.url, { model: "gpt-4o-mini", input: refs.slice(0, 64) });
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
  } finally {
    await f.close();
  }
});
