import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startOpenAITestServer, type OpenAITestServer } from "../../testing/index.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";

let server: OpenAITestServer;
before(async () => {
  server = await startOpenAITestServer({
    reply: () => ({ content: "The answer is 4.", reasoning_content: "2+2... 5? No, 4.", reasoning_tokens: 6 }),
  });
});
after(() => server.close());

test("lmx ask --reasoning-effort reaches the model; --json shows the reasoning and its tokens apart", async () => {
  const run = await runCli(["ask", "-m", "openai:test-model", "--reasoning-effort", "low", "--json", "What is 2+2?"], {
    env: cleanEnv({ OPENAI_BASE_URL: server.url }),
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(server.requests.at(-1)!.body.reasoning_effort, "low");
  const out = JSON.parse(run.stdout);
  assert.equal(out.answer, "4");
  assert.equal(out.text, "The answer is 4.");
  assert.equal(out.reasoning, "2+2... 5? No, 4.");
  assert.equal(out.usage.reasoning_tokens, 6);
});

test("lmx ask --reasoning-effort with an unknown level is a usage error naming the choices", async () => {
  const run = await runCli(["ask", "-m", "openai:test-model", "--reasoning-effort", "max", "hi"], {
    env: cleanEnv({ OPENAI_BASE_URL: server.url }),
  });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /reasoning-effort/);
  assert.match(run.stderr, /xhigh/);
});
