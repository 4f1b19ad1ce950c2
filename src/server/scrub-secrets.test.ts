import assert from "node:assert/strict";
import { test } from "node:test";
import { configSecrets, scrubSecrets } from "./scrub-secrets.ts";

test("keys, bearer tokens, Authorization values and key query parameters are removed", () => {
  const text = [
    "401 Incorrect API key provided: sk-proj-abc123DEF456ghi.",
    "headers: { Authorization: 'Bearer xyz-987654321' }",
    '{"x-api-key":"ant-secret-value"}',
    "GET https://host/v1/models?key=AIzaSyA1234567&alt=json",
    "my-own-upstream-key-1 leaked",
  ].join("\n");
  const out = scrubSecrets(text, ["my-own-upstream-key-1"]);
  for (const secret of [
    "sk-proj-abc123DEF456ghi",
    "xyz-987654321",
    "ant-secret-value",
    "AIzaSyA1234567",
    "my-own-upstream-key-1",
  ])
    assert.ok(!out.includes(secret), `${secret} in ${out}`);
  assert.match(out, /alt=json/, "the rest of the text stays");
  assert.match(out, /Incorrect API key provided/);
});

test("the secrets lmx holds: provider keys, key-like environment variables and server keys", () => {
  const found = configSecrets({
    providers: { openai: { apiKey: "sk-config-1234" }, anthropic: undefined },
    env: {
      OPENAI_API_KEY: "sk-env-123456789",
      LMX_SERVER_KEYS: "first-key-123,second-key-456",
      HOME: "/root",
      SHORT_KEY: "abc",
    },
    server: { keys: ["server-key-0001"] },
  });
  assert.deepEqual(
    new Set(found),
    new Set(["sk-config-1234", "sk-env-123456789", "first-key-123", "second-key-456", "server-key-0001"]),
  );
});

test("the embedder's key and the OTLP collector's credentials are secrets too", () => {
  const found = configSecrets({
    env: {},
    embeddings: { apiKey: "emb-key-98765" },
    otlp: { headers: { authorization: "Bearer otlp-token-4321", "x-team": "team-secret-55" } },
  });
  assert.deepEqual(new Set(found), new Set(["emb-key-98765", "otlp-token-4321", "team-secret-55"]));
  assert.equal(
    scrubSecrets("embedder refused key emb-key-98765 (team team-secret-55)", found),
    "embedder refused key [redacted] (team [redacted])",
  );
});
