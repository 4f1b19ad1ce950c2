import assert from "node:assert/strict";
import { test } from "node:test";
import { startHostileUpstream } from "./hostile-upstream.ts";

const post = (url: string, signal?: AbortSignal) =>
  fetch(`${url}/chat/completions`, {
    method: "POST",
    body: "{}",
    headers: { "content-type": "application/json" },
    signal,
  });

test("each hostile behaviour does what it says", async () => {
  const s = await startHostileUpstream({ kind: "huge-body", bytes: 1024 * 1024 });
  try {
    const huge = JSON.parse(await (await post(s.url)).text());
    assert.ok(
      huge.choices[0].message.content.length > 1000 * 1000,
      "a huge body is whole, valid JSON when read to the end",
    );

    s.behaviour = { kind: "gzip-bomb", bytes: 8 * 1024 * 1024 };
    const bomb = await post(s.url);
    assert.equal(bomb.headers.get("content-encoding"), "gzip");
    assert.ok((await bomb.arrayBuffer()).byteLength > 8 * 1024 * 1024, "it inflates to the size asked for");

    s.behaviour = { kind: "status", status: 429, headers: { "retry-after": "600" } };
    const limited = await post(s.url);
    assert.deepEqual([limited.status, limited.headers.get("retry-after")], [429, "600"]);

    s.behaviour = { kind: "reset-mid-stream", events: [{ a: 1 }] };
    await assert.rejects((await post(s.url)).text(), "a reset stream fails the read");

    s.behaviour = { kind: "headers-only" };
    const headersOnly = await post(s.url, AbortSignal.timeout(300));
    assert.equal(headersOnly.status, 200);
    await assert.rejects(headersOnly.text(), (e: Error) => e.name === "TimeoutError", "no body ever comes");

    s.behaviour = { kind: "never-answer" };
    await assert.rejects(post(s.url, AbortSignal.timeout(300)), (e: Error) => e.name === "TimeoutError");
    assert.equal(s.posts, 6);
  } finally {
    await s.close();
  }
});
