import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSubquestions } from "./parse-subquestions.ts";

test("reads numbered lists in their common spellings, ignoring a preamble", () => {
  const text = "Here are the subquestions:\n1. How long is each trip?\n2) How many trips?\n(3) How long in total?";
  assert.deepEqual(parseSubquestions({ text, max: 5 }), [
    "How long is each trip?",
    "How many trips?",
    "How long in total?",
  ]);
  const labelled = "Q1: What is x?\nSubquestion 2: What is y?\n**3.** What is **x + y**?\nStep 4 - Check it.";
  assert.deepEqual(parseSubquestions({ text: labelled, max: 5 }), [
    "What is x?",
    "What is y?",
    "What is x + y?",
    "Check it.",
  ]);
});

test("numbers inside items are not list markers", () => {
  assert.deepEqual(parseSubquestions({ text: "1. Is 2.5 kg more than 2 kg?\n2. By how much?", max: 5 }), [
    "Is 2.5 kg more than 2 kg?",
    "By how much?",
  ]);
});

test("caps at max and drops repeats", () => {
  const text = "1. a?\n2. b?\n3. a?\n4. c?\n5. d?";
  assert.deepEqual(parseSubquestions({ text, max: 3 }), ["a?", "b?", "c?"]);
});

test("falls back to bullets, then to question lines, and to nothing", () => {
  assert.deepEqual(parseSubquestions({ text: "- How far?\n- How fast?", max: 5 }), ["How far?", "How fast?"]);
  assert.deepEqual(parseSubquestions({ text: "First: how far?\nThen how fast?\nDone.", max: 5 }), [
    "First: how far?",
    "Then how fast?",
  ]);
  assert.deepEqual(parseSubquestions({ text: "The question is already simple.", max: 5 }), []);
});
