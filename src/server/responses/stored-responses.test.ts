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
