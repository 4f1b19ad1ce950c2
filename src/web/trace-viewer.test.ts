import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import type { Browser } from "playwright-core";
import { configSchema } from "../config/config-schema.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { createModelResolver } from "../providers/resolve-model.ts";
import { startServer, type RunningServer } from "../server/start-server.ts";
import { openTraceStore, type SqliteTraceStore } from "../store/trace-store/sqlite-trace-store.ts";
import { startOpenAITestServer, type OpenAITestServer } from "../testing/index.ts";
import { artifactPath, launchChromium, skipWithoutChromium, watchPage } from "./testing/headless-chromium.ts";
import { traceViewerPage } from "./trace-viewer.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-ui-"));
let upstream: OpenAITestServer;
let browser: Browser | undefined;
const opened: { proxy: RunningServer; traces: SqliteTraceStore; close(): Promise<void> }[] = [];

before(async () => {
  // Every third answer disagrees, so a vote has something to show.
  upstream = await startOpenAITestServer({
    reply: (_r, i) => (i % 3 === 2 ? "Hmm. The answer is 5." : "2 and 2 make 4. The answer is 4."),
  });
  if (!skipWithoutChromium) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  for (const o of opened) await o.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `lmx serve` in front of the test upstream, keeping its traces in a SQLite trace store. */
async function proxy(name: string, keys?: string[]) {
  const config: LoadedConfig = {
    ...configSchema.parse({
      providers: { openai: { baseURL: upstream.url, apiKey: "upstream-key", retries: 0 } },
      prices: { "openai:test-model": { input: 1000, output: 2000 } },
    }),
    env: {},
  };
  const resolveModel = createModelResolver({ config });
  const traces = openTraceStore({ path: join(dir, `${name}.sqlite`) });
  const server = await startServer({
    config,
    resolveModel,
    defaultModel: "openai:test-model",
    traces,
    server: keys ? { keys } : undefined,
    port: 0,
  });
  const entry = {
    proxy: server,
    traces,
    close: async () => (await server.close(), await resolveModel.close(), traces.close()),
  };
  opened.push(entry);
  return entry;
}

test("the page is self-contained: inline script and style, nothing fetched but the trace API", () => {
  const html = traceViewerPage();
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href="(?!data:)|<img[^>]+src=|url\(http/i);
  assert.match(html, /\/v1\/traces/);
});

test(
  "/ui lists the proxy's requests and opens a trace tree with prompts, outputs, usage and votes",
  { skip: skipWithoutChromium },
  async () => {
    const { proxy: server, traces } = await proxy("open");
    const client = new OpenAI({ baseURL: server.url, apiKey: "none", maxRetries: 0 });
    await client.chat.completions.create({
      model: "openai:test-model",
      messages: [{ role: "user", content: "Say hello." }],
    });
    const voted = await client.chat.completions.create({
      model: "self-consistency(n=3)@openai:test-model",
      messages: [{ role: "user", content: "What is 2+2?" }],
    });
    assert.equal((await traces.list()).length, 2, "the SQLite store serves as the proxy's trace store");

    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    const seen = watchPage(page);
    await page.goto(`http://127.0.0.1:${server.port}/ui`);
    await page.waitForSelector("tr.trace-row");
    assert.equal(await page.locator("tr.trace-row").count(), 2);
    assert.deepEqual(
      seen.requests.filter((u) => !u.includes("/ui") && !u.includes("/v1/traces")),
      [],
      "only the trace API is fetched",
    );

    await page.locator("tr.trace-row", { hasText: "self-consistency" }).click();
    await page.waitForSelector("details.span-lm");
    const tree = page.locator("#trace-pane");
    assert.match((await tree.locator("h2").textContent()) ?? "", /self-consistency\(n=3\)@openai:test-model/);
    const chips = await tree.locator(".event-vote .chip").allTextContents();
    assert.deepEqual(chips.sort(), ["4 ×2", "5 ×1"]);
    const outputs = await tree.locator("details.span-lm .output pre").allTextContents();
    assert.deepEqual(
      outputs.sort(),
      ["2 and 2 make 4. The answer is 4.", "2 and 2 make 4. The answer is 4.", "Hmm. The answer is 5."].sort(),
    );
    const facts = (await tree.locator("details.span-lm .facts").first().textContent()) ?? "";
    assert.match(facts, /openai:test-model .* prompt \+ \d+ completion tokens · \$0\.\d+/);
    assert.match((await tree.locator("details.prompt").first().textContent()) ?? "", /What is 2\+2\?/);
    assert.equal(voted.choices[0]!.message.content, "2 and 2 make 4. The answer is 4.");
    assert.deepEqual(seen.errors, []);
    await page.screenshot({ path: artifactPath("trace-viewer.png"), fullPage: true });
    await page.close();
  },
);

test("/ui on a server with keys asks for one, then lists the traces", { skip: skipWithoutChromium }, async () => {
  const { proxy: server } = await proxy("keys", ["sk-ui-test-key-0123456789"]);
  const client = new OpenAI({ baseURL: server.url, apiKey: "sk-ui-test-key-0123456789", maxRetries: 0 });
  await client.chat.completions.create({
    model: "openai:test-model",
    messages: [{ role: "user", content: "Say hello." }],
  });

  const page = await browser!.newPage();
  const seen = watchPage(page);
  await page.goto(`http://127.0.0.1:${server.port}/ui`);
  await page.waitForSelector("#key-box:not([hidden])");
  await page.fill("#key", "sk-ui-test-key-0123456789");
  await page.click("#save-key");
  await page.waitForSelector("tr.trace-row");
  assert.equal(await page.locator("tr.trace-row").count(), 1);
  // The 401 before the key is a failed fetch the browser logs; nothing else may fail.
  assert.deepEqual(
    seen.errors.filter((e) => !/401/.test(e)),
    [],
  );
  await page.close();
});
