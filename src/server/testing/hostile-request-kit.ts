import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { ProxyFixture } from "./proxy-fixture.ts";

/** An answer as the hostile-request tests read it: status, raw text, the JSON on demand. */
export interface Posted {
  status: number;
  text: string;
  json(): any;
  headers: Headers;
}

/**
 * What the hostile-request suites of each API route share: posting a body (JSON, or a raw string as
 * sent), and the checks that a refusal is a 4xx holding nothing of the host (`secrets`, /etc/passwd,
 * `id` output) and that nothing ran (no `touched` file, no upstream call). Each suite checks its own
 * API's error shape on top.
 */
export function hostileRequestKit(o: {
  fixture: () => ProxyFixture;
  /** The route, after `/v1` (`/messages`). */
  path: string;
  /** Headers sent unless a test gives its own (the route's key). */
  headers: Record<string, string>;
  secrets: readonly string[];
  /** A file a command smuggled into a request would create. */
  touched: string;
}) {
  const assertClean = (text: string, what: string): void => {
    // The client's own strings may be quoted back (a path it sent); nothing the host holds may be.
    for (const bad of [...o.secrets, "root:x:0:0", "uid="])
      assert.ok(!text.includes(bad), `${what}: the answer holds ${bad}: ${text.slice(0, 300)}`);
  };
  return {
    async post(body: unknown, headers = o.headers, path = o.path): Promise<Posted> {
      const res = await fetch(`${o.fixture().proxy.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, text, json: () => JSON.parse(text), headers: res.headers };
    },
    assertClean,
    /** A 4xx (`status` when given) holding nothing of the host; its parsed body. */
    assertClientError(r: Posted, what: string, status?: number): any {
      assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
      if (status) assert.equal(r.status, status, `${what}: ${r.text.slice(0, 300)}`);
      assertClean(r.text, what);
      return r.json();
    },
    assertNoSideEffect(what: string): void {
      assert.equal(existsSync(o.touched), false, `${what}: a command ran`);
      assert.equal(o.fixture().upstream.requests.length, 0, `${what}: the upstream was called`);
    },
  };
}
