import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "../config/load-config.ts";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { saveAlias } from "./save-alias.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-save-alias-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("creates the config when absent, with the alias lmx reads back", () => {
  const path = join(dir, "new", "..", "lmx.config.json");
  const out = saveAlias({ path, name: "best", spec: "self-consistency(n=3)@openai:gpt-4o-mini" });
  assert.equal(out.created, true);
  assert.equal(
    readFileSync(path, "utf8"),
    '{\n  "aliases": {\n    "best": "self-consistency(n=3)@openai:gpt-4o-mini"\n  }\n}\n',
  );
  assert.equal(loadConfig({ path }).aliases.best, "self-consistency(n=3)@openai:gpt-4o-mini");
});

test("keeps other keys, other aliases, their order and the file's indentation; reports what it replaced", () => {
  const path = join(dir, "existing.json");
  writeFileSync(
    path,
    '{\n    "defaultModel": "openai:gpt-4o",\n    "aliases": {"fast": "openai:gpt-4o-mini", "best": "old"},\n    "cache": {"enabled": true}\n}\n',
  );
  const out = saveAlias({ path, name: "best", spec: "re2@openai:gpt-4o" });
  assert.deepEqual(out, { path, created: false, previous: "old" });
  const text = readFileSync(path, "utf8");
  assert.deepEqual(JSON.parse(text), {
    defaultModel: "openai:gpt-4o",
    aliases: { fast: "openai:gpt-4o-mini", best: "re2@openai:gpt-4o" },
    cache: { enabled: true },
  });
  assert.match(text, /^\{\n {4}"defaultModel"/, "four-space indentation kept");
  assert.ok(!existsSync(`${path}.${process.pid}.tmp`), "no temporary file left behind");
});

test("bad names and unreadable configs are errors that leave the file alone", () => {
  const path = join(dir, "broken.json");
  writeFileSync(path, "{not json");
  assert.throws(
    () => saveAlias({ path, name: "x", spec: "s" }),
    (e) => ConfigurationError.isInstance(e) && /not valid JSON/.test(e.message),
  );
  assert.equal(readFileSync(path, "utf8"), "{not json");
  for (const name of ["", "a b", "openai:x", "1st", "a(b)"])
    assert.throws(
      () => saveAlias({ path: join(dir, "n.json"), name, spec: "s" }),
      (e) => InvalidRequestError.isInstance(e),
      name,
    );
});
