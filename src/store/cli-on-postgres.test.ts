import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { cleanEnv, runCli } from "../cli/testing/run-cli.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { createTestDatabase } from "./postgres/testing/test-database.ts";

const database = await createTestDatabase();
const dir = mkdtempSync(join(tmpdir(), "lmx-cli-pg-"));
after(() => rmSync(dir, { recursive: true, force: true }));

if (database) {
  after(() => database.drop());

  test("with LMX_STORE naming PostgreSQL, `lmx ask` saves its trace there and `lmx trace` finds it; no trace file is made", async () => {
    const server = await startOpenAITestServer({ reply: () => "The answer is 4." });
    try {
      const env = cleanEnv({ OPENAI_BASE_URL: server.url, LMX_STORE: database.url });
      const ask = await runCli(["ask", "-m", "openai:test-model", "--no-stream", "--trace", "What is 2+2?"], {
        env,
        cwd: dir,
      });
      assert.equal(ask.code, 0, ask.stderr);
      const id = /^trace: ([0-9a-f-]{36})$/m.exec(ask.stderr)?.[1];
      assert.ok(id, `no trace id in: ${ask.stderr}`);
      const listed = await runCli(["trace", "--json"], { env, cwd: dir });
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(
        (JSON.parse(listed.stdout) as { data: { id: string }[] }).data.map((t) => t.id),
        [id],
      );
      const shown = await runCli(["trace", id.slice(0, 8)], { env, cwd: dir });
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`^trace ${id}`));
      const missing = await runCli(["trace", "ffffffff"], { env, cwd: dir });
      assert.equal(missing.code, 2, missing.stderr);
      assert.match(missing.stderr, /no trace "ffffffff" in postgres:\/\/postgres@/);
      assert.equal(existsSync(join(dir, ".state", "lmx", "traces.sqlite")), false);
    } finally {
      await server.close();
    }
  });
}
