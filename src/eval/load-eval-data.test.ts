import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { evalRequest } from "./eval-record.ts";
import { loadEvalData } from "./load-eval-data.ts";
import { sharedReplay } from "../testing/shared-replay.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-eval-data-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const shared = sharedReplay("cruxeval-output.codellama-7b.bank.jsonl");
const bankPath = shared.path;

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

test("bad records are reported with their line numbers and the good ones still load", () => {
  const path = file("mixed.jsonl", [
    JSON.stringify({ id: "a", question: "What is 1+1?", answer: "2" }),
    "",
    "{not json",
    JSON.stringify({ id: "b", question: "What is 2+2?" }),
    JSON.stringify({ id: "a", question: "Again?", answer: "x" }),
    JSON.stringify([1, 2]),
    JSON.stringify({ id: "c", question: "", answer: "1" }),
    JSON.stringify({ id: "d", question: "Pick one", answer: "B", choices: [] }),
    JSON.stringify({ id: "e", question: "What is 3+3?", answer: 6 }),
  ]);
  const data = loadEvalData({ path });
  assert.deepEqual(
    data.records.map((r) => [r.id, r.line, r.answer]),
    [
      ["a", 1, "2"],
      ["e", 9, "6"],
    ],
  );
  assert.deepEqual(
    data.problems.map((p) => p.line),
    [3, 4, 5, 6, 7, 8],
  );
  assert.match(data.problems[0]!.message, /not valid JSON/);
  assert.match(data.problems[1]!.message, /"answer" must be a string/);
  assert.match(data.problems[2]!.message, /id "a" already appears on line 1/);
  assert.match(data.problems[3]!.message, /not a JSON object/);
  assert.match(data.problems[4]!.message, /"question" must be a non-empty string/);
  assert.match(data.problems[5]!.message, /"choices" must be a non-empty array/);
});

test("records without ids get stable ids from their question; the hash follows the bytes", () => {
  const a = loadEvalData({
    path: file("no-ids.jsonl", [
      JSON.stringify({ question: "Q one", answer: "1" }),
      JSON.stringify({ question: "Q two", answer: "2" }),
    ]),
  });
  const b = loadEvalData({ path: file("no-ids-2.jsonl", [JSON.stringify({ question: "Q two", answer: "2" })]) });
  assert.match(a.records[0]!.id, /^q-[0-9a-f]{16}$/);
  assert.equal(a.records[1]!.id, b.records[0]!.id);
  assert.notEqual(a.hash, b.hash);
  assert.equal(a.hash, loadEvalData({ path: a.path }).hash);
});

test("choices become lettered lines; messages are sent as they are", () => {
  const data = loadEvalData({
    path: file("forms.jsonl", [
      JSON.stringify({ id: "mc", question: "Which is a prime?", answer: "B", choices: ["4", "7", "9"] }),
      JSON.stringify({
        id: "chat",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Capital of France?" },
        ],
        answer: "Paris",
      }),
    ]),
  });
  assert.deepEqual(evalRequest(data.records[0]!).messages, [
    { role: "user", content: "Which is a prime?\n\nA. 4\nB. 7\nC. 9" },
  ]);
  const chat = data.records[1]!;
  assert.equal(chat.question, "Capital of France?");
  assert.deepEqual(
    evalRequest(chat).messages.map((m) => m.role),
    ["system", "user"],
  );
});

shared.test("a sample bank is read as data: its 800 questions with their answers", () => {
  const data = loadEvalData({ path: bankPath });
  assert.equal(data.records.length, 800);
  assert.deepEqual(data.problems, []);
  assert.equal(data.records[0]!.id, "sample_0");
  assert.equal(data.records[0]!.answer, "[(4, 1), (4, 1), (4, 1), (4, 1), (2, 3), (2, 3)]");
});

test("a missing or empty file is a ConfigurationError", () => {
  assert.throws(
    () => loadEvalData({ path: join(dir, "nope.jsonl") }),
    (e) => ConfigurationError.isInstance(e) && /does not exist/.test(e.message),
  );
  assert.throws(
    () => loadEvalData({ path: file("empty.jsonl", ["", ""]) }),
    (e) => ConfigurationError.isInstance(e) && /no records/.test(e.message),
  );
});
