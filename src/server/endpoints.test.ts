// Named endpoints through `lmx serve`: a client may name `NAME:<model>` when the operator allows NAME,
// never define an endpoint, and never see the endpoint's key.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startOpenAITestServer, type OpenAITestServer } from "../testing/index.ts";
import { configSecrets } from "./scrub-secrets.ts";
import { startProxyFixture } from "./testing/proxy-fixture.ts";

// Not sk-shaped, so only the config can say it is a key.
const SECOND_KEY = "ep2-7f3a9c1d5e8b2f4a";
const SECOND_PRICE = { input: 3000, output: 5000 };
let second: OpenAITestServer;
before(async () => {
  second = await startOpenAITestServer({ reply: () => "From the second server: the answer is 4." });
});
after(() => second.close());

const ask = { messages: [{ role: "user", content: "What is 2+2?" }] };

function fixture(allowProviders?: string[]) {
  return startProxyFixture({
    reply: () => "From the first server: the answer is 4.",
    server: allowProviders ? { allowProviders } : undefined,
    config: {
      endpoints: {
        second: { type: "openai", baseURL: second.url, apiKey: SECOND_KEY, prices: { "test-model": SECOND_PRICE } },
      },
    },
  });
}

async function post(url: string, body: unknown) {
  const r = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
}

test("an allowed endpoint is a model a client may name: it reaches that server with its key, at its prices", async () => {
  const f = await fixture(["openai", "second"]);
  try {
    const before = second.requests.length;
    const r = await post(f.proxy.url, { ...ask, model: "second:test-model" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.body.choices[0].message.content, /second server/);
    const sent = second.requests.slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.headers.authorization, `Bearer ${SECOND_KEY}`);
    const u = second.reported.at(-1)!;
    const cost = (u.prompt_tokens * SECOND_PRICE.input + u.completion_tokens * SECOND_PRICE.output) / 1e6;
    assert.ok(Math.abs(Number(r.headers.get("x-lmx-cost-usd")) - cost) < 1e-6);
    assert.ok(!JSON.stringify(r.body).includes(SECOND_KEY));
  } finally {
    await f.close();
  }
});

test("a client's cascade across the built-in provider and an endpoint reaches both servers", async () => {
  const f = await fixture(["openai", "second"]);
  try {
    const [first0, second0] = [f.upstream.requests.length, second.requests.length];
    const r = await post(f.proxy.url, {
      ...ask,
      model: "cascade(models=[second:test-model], threshold=1)@openai:test-model",
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(f.upstream.requests.length > first0, "the first rung ran on the first server");
    assert.ok(second.requests.length > second0, "the escalation ran on the endpoint");
  } finally {
    await f.close();
  }
});

test("an endpoint not in allowProviders cannot be named, in the model or in a technique's models", async () => {
  const f = await fixture();
  try {
    const before = second.requests.length;
    for (const model of ["second:test-model", "mixture-of-agents(models=[second:test-model])@openai:test-model"]) {
      const r = await post(f.proxy.url, { ...ask, model });
      assert.equal(r.status, 400, model);
      assert.match(r.body.error.message, /does not let clients name second: models/);
    }
    assert.equal(second.requests.length, before, "nothing reached the endpoint");
  } finally {
    await f.close();
  }
});

test("a client cannot define an endpoint: a name the config does not hold is an unknown model", async () => {
  const f = await fixture(["openai", "second", "mine"]);
  try {
    const r = await post(f.proxy.url, { ...ask, model: "mine:test-model" });
    assert.equal(r.status, 404);
    const defined = await post(f.proxy.url, {
      ...ask,
      model: "openai:test-model",
      lmx: { endpoints: { mine: { type: "openai", baseURL: "http://127.0.0.1:1/v1" } } },
    });
    assert.equal(defined.status, 400);
    assert.ok(!JSON.stringify([r.body, defined.body]).includes(second.url), "no host data in errors");
  } finally {
    await f.close();
  }
});

test("a client's cost budget on a model without a price is a 400 naming the model, with no upstream call", async () => {
  const f = await fixture(["openai", "second"]);
  try {
    const before = second.requests.length;
    const r = await post(f.proxy.url, { ...ask, model: "second:unpriced", lmx: { budget: { cost_usd: 1 } } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /cost budget needs a price for second:unpriced/);
    assert.equal(second.requests.length, before);
    const priced = await post(f.proxy.url, { ...ask, model: "second:test-model", lmx: { budget: { cost_usd: 1 } } });
    assert.equal(priced.status, 200, JSON.stringify(priced.body));
  } finally {
    await f.close();
  }
});

test("an endpoint's key is scrubbed from errors, like the built-in providers' keys", async () => {
  const f = await fixture(["openai", "second"]);
  try {
    second.behaviour.failFirst = {
      count: second.requests.length + 1,
      status: 400,
      message: `invalid key ${SECOND_KEY} for this model`,
    };
    const r = await post(f.proxy.url, { ...ask, model: "second:test-model" });
    assert.ok(r.status >= 400 && r.status < 600, String(r.status));
    assert.ok(!JSON.stringify(r.body).includes(SECOND_KEY), JSON.stringify(r.body));
  } finally {
    delete second.behaviour.failFirst;
    await f.close();
  }
});

test("an endpoint's key named by apiKeyEnv counts as a secret whatever the variable is called", () => {
  const secrets = configSecrets({
    endpoints: { a: { apiKeyEnv: "VENDOR_CRED" }, b: { apiKey: "inline-endpoint-credential" } },
    env: { VENDOR_CRED: "vendor-credential-value", UNRELATED: "not-a-secret-at-all" },
  });
  assert.ok(secrets.includes("vendor-credential-value"));
  assert.ok(secrets.includes("inline-endpoint-credential"));
  assert.ok(!secrets.includes("not-a-secret-at-all"));
});

test("an endpoint's host and hidden endpoints' names stay the operator's: not in errors, traces or model hints", async () => {
  const logged: string[] = [];
  const f = await startProxyFixture({
    server: { allowProviders: ["openai"] },
    aliases: { dns: "gpu-box:test-model", refused: "closed:test-model" },
    log: (line) => logged.push(line),
    config: {
      endpoints: {
        "gpu-box": { type: "openai", baseURL: "http://gpu-box.corp.invalid:8000/v1", retries: 0 },
        closed: { type: "openai", baseURL: "http://127.0.0.1:9/v1", retries: 0 },
      },
    },
  });
  try {
    for (const [model, kind] of [
      ["dns", /host name not resolved|network error|connect timed out/],
      ["refused", /connection refused/],
    ] as const) {
      const r = await post(f.proxy.url, { ...ask, model });
      assert.equal(r.status, 502, JSON.stringify(r.body));
      assert.match(r.body.error.message, kind);
      assert.doesNotMatch(JSON.stringify(r.body), /gpu-box\.corp|127\.0\.0\.1:9\b/);
      const trace = await (await fetch(`${f.proxy.url}/traces/${r.headers.get("x-lmx-trace-id")}`)).text();
      assert.doesNotMatch(trace, /gpu-box\.corp|127\.0\.0\.1:9\b/);
    }
    assert.ok(
      logged.some((l) => /gpu-box\.corp\.invalid|EAI_AGAIN|ENOTFOUND/.test(l)),
      "the server log keeps the detail",
    );
    const unknown = await post(f.proxy.url, { ...ask, model: "openai:" });
    assert.equal(unknown.status, 404);
    assert.doesNotMatch(unknown.body.error.message, /gpu-box|closed/);
    assert.match(unknown.body.error.message, /openai:<model>/);
  } finally {
    await f.close();
  }
});
