import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runMain } from "../testing/run-main.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-cli-models-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("lmx models: lists providers and aliases (0), a broken config is a failure (1), an unknown option bad usage (2)", async () => {
  const config = join(dir, "lmx.json");
  writeFileSync(
    config,
    JSON.stringify({ aliases: { fast: "openai:gpt-4o-mini" }, providers: { llama: { modelsDir: dir } } }),
  );
  const ok = await runMain(["-c", config, "models", "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  const info = JSON.parse(ok.stdout);
  assert.ok(info.providers.some((p: { name: string }) => p.name === "replay"));
  assert.deepEqual(info.aliases, { fast: "openai:gpt-4o-mini" });
  writeFileSync(join(dir, "bad.json"), '{"aliases": 5}');
  const broken = await runMain(["-c", join(dir, "bad.json"), "models"]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /^lmx: invalid config .*bad\.json at aliases/);
  const usage = await runMain(["models", "--bogus"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /unknown option '--bogus'/);
});

test("lmx models lists the config's named endpoints; a bad endpoint is a config error naming it", async () => {
  const config = join(dir, "endpoints.json");
  writeFileSync(
    config,
    JSON.stringify({ endpoints: { ollama: { type: "openai", baseURL: "http://127.0.0.1:11434/v1" } } }),
  );
  const ok = await runMain(["-c", config, "models", "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).endpoints, [
    { name: "ollama", example: "ollama:<model>", type: "openai", baseURL: "http://127.0.0.1:11434/v1" },
  ]);
  const text = await runMain(["-c", config, "models"]);
  assert.match(text.stdout, /endpoints:\n {2}ollama:<model> +openai at http:\/\/127\.0\.0\.1:11434\/v1/);
  writeFileSync(config, JSON.stringify({ endpoints: { ollama: { type: "llama", baseURL: "http://x" } } }));
  const bad = await runMain(["-c", config, "models"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid config .* at endpoints\.ollama\.type/);
});
