import assert from "node:assert/strict";
import { test } from "node:test";
import { allTechniques } from "../../techniques/all.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";

test("lmx techniques --json lists every registered technique with its paper and parameters", async () => {
  const run = await runCli(["techniques", "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const list = JSON.parse(run.stdout) as { name: string; paper: string; parameters: { name: string }[] }[];
  assert.deepEqual(list.map((t) => t.name).sort(), allTechniques.map((f) => f.definition.name).sort());
  for (const t of list) assert.match(t.paper, /\d{4}/, `${t.name} names its paper and year`);
  const sc = list.find((t) => t.name === "self-consistency")!;
  assert.ok(sc.parameters.some((p) => p.name === "n"));
});

test("lmx techniques NAME shows one technique; an unknown one is an error", async () => {
  const one = await runCli(["techniques", "re2"]);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /^re2 {2}\(rephrase\)/);
  assert.match(one.stdout, /reads: integer = 2/);
  const bad = await runCli(["techniques", "re3"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown technique "re3"/);
});

test("lmx models names the default model and every provider", async () => {
  const run = await runCli(["models", "--json"], {
    env: cleanEnv({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1", OPENAI_MODEL: "qwen" }),
  });
  assert.equal(run.code, 0, run.stderr);
  const info = JSON.parse(run.stdout) as { default: string; providers: { name: string }[] };
  assert.equal(info.default, "openai:qwen");
  assert.deepEqual(
    info.providers.map((p) => p.name),
    ["openai", "anthropic", "llama", "replay"],
  );
});
