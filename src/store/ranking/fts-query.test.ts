import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { ftsQuery } from "./fts-query.ts";

test("user text becomes quoted terms joined by OR, without stop words", () => {
  assert.equal(ftsQuery("What is the warranty of unit QX417?"), '"warranty" OR "unit" OR "qx417"');
  assert.equal(ftsQuery("the and of"), '"the" OR "and" OR "of"', "only stop words: keep them");
  assert.equal(ftsQuery('  -- ** () "" '), undefined);
  assert.equal(ftsQuery("café CAFÉ"), '"café"');
});

test("FTS5 syntax in user queries never throws and still matches the words", () => {
  const db = new Database(":memory:");
  db.exec("CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2')");
  db.prepare("INSERT INTO t (rowid, text) VALUES (1, ?), (2, ?)").run(
    "Invoices are kept for seven years",
    "The NEAR field AND the OR gate",
  );
  const search = db.prepare<[string], number>("SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t)").pluck();
  const nasty = [
    'how long are "invoices kept',
    "invoices -kept",
    "text:invoices",
    "invoice*",
    "(invoices AND",
    "NOT invoices",
    "NEAR(invoices kept, 2)",
    "^invoices",
    "invoices OR",
    "{text}: invoices",
    "invoices'; DROP TABLE t; --",
    "AND OR NOT NEAR",
  ];
  const rawErrors = nasty.filter((q) => {
    try {
      search.all(q);
      return false;
    } catch {
      return true;
    }
  });
  assert.ok(rawErrors.length >= 6, `most of these are FTS5 syntax errors when passed raw (${rawErrors.length} were)`);
  for (const q of nasty) {
    const match = ftsQuery(q);
    assert.ok(match, q);
    const rows = search.all(match);
    if (/invoice/i.test(q)) assert.equal(rows[0], 1, `"${q}" finds the invoices row first`);
  }
  assert.deepEqual(search.all(ftsQuery("AND OR NOT NEAR")!), [2], "operators are plain words when quoted");
});
