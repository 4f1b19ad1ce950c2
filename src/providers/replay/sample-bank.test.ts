import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { replayLM } from "./replay-lm.ts";
import { loadSampleBank } from "./sample-bank.ts";
import { sharedReplay } from "../../testing/shared-replay.ts";

const shared = sharedReplay("cruxeval-output.codellama-7b.bank.jsonl");
const bankPath = shared.path;
const dir = mkdtempSync(join(tmpdir(), "lmx-sample-bank-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const good = (id: string, question = `question ${id}`) =>
  JSON.stringify({ id, question, answer: "42", samples: ["a", "b"] });

function bankWith(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const configError = (pattern: RegExp) => (e: unknown) => {
  assert.ok(ConfigurationError.isInstance(e), `expected a ConfigurationError, got ${String(e)}`);
  assert.match((e as Error).message, pattern);
  return true;
};

shared.test("the cruxeval bank loads with maps by id and by question", () => {
  const bank = loadSampleBank(bankPath);
  const raw = readFileSync(bankPath, "utf8").trim().split("\n");
  assert.equal(bank.records.length, raw.length);
  const third = JSON.parse(raw[2]!);
  assert.deepEqual(bank.byId.get(third.id), third);
  assert.equal(bank.byQuestion.get(third.question.trim())?.id, third.id);
  assert.ok(bank.records.every((r) => r.samples.length === 10));
});

test("a line that is not JSON is a ConfigurationError naming the file and line", () => {
  const path = bankWith(
    "broken.bank.jsonl",
    `${good("a")}\n\n${good("b")}\n{"id": "c", "question": "q c", "answer": "1", "samples": ["x"\n`,
  );
  assert.throws(
    () => loadSampleBank(path),
    configError(new RegExp(`sample bank .*broken\\.bank\\.jsonl line 4 is not valid JSON`)),
  );
});

test("missing or mistyped fields name the field and the line", () => {
  const cases: [string, RegExp][] = [
    [JSON.stringify({ question: "q", answer: "a", samples: ["s"] }), /line 2: "id" must be a non-empty string/],
    [JSON.stringify({ id: "x", answer: "a", samples: ["s"] }), /line 2: "question" must be a non-empty string/],
    [JSON.stringify({ id: "x", question: "q", samples: ["s"] }), /line 2: "answer" must be a string/],
    [
      JSON.stringify({ id: "x", question: "q", answer: "a", samples: [] }),
      /line 2: "samples" must be a non-empty array of strings/,
    ],
    [
      JSON.stringify({ id: "x", question: "q", answer: "a", samples: ["s", 3] }),
      /line 2: "samples" must be a non-empty array of strings/,
    ],
    ["[1, 2]", /line 2 is not a JSON object/],
    [good("a"), /line 2: id "a" appears twice/],
    [good("z", "question a"), /line 2: the question of "z" repeats that of "a"/],
  ];
  cases.forEach(([line, pattern], i) => {
    const path = bankWith(`case-${i}.bank.jsonl`, `${good("a")}\n${line}\n`);
    assert.throws(() => loadSampleBank(path), configError(pattern));
  });
});

test("a missing or empty bank is a ConfigurationError; replayLM reports it at construction", () => {
  assert.throws(() => loadSampleBank(join(dir, "nope.bank.jsonl")), configError(/nope\.bank\.jsonl does not exist/));
  assert.throws(() => replayLM({ bank: join(dir, "nope.bank.jsonl") }), configError(/does not exist/));
  assert.throws(() => loadSampleBank(bankWith("empty.bank.jsonl", "\n\n")), configError(/has no questions/));
});
