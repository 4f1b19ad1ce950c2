import assert from "node:assert/strict";
import { test } from "node:test";
import { finishReasonOf, STOP_REASONS, stopReasonOf, TOOL_CHOICES } from "./anthropic-vocabulary.ts";

test("stop reasons read and write through one table; a round trip keeps each finish reason", () => {
  assert.equal(finishReasonOf("end_turn"), "stop");
  assert.equal(finishReasonOf("stop_sequence"), "stop");
  assert.equal(finishReasonOf("max_tokens"), "length");
  assert.equal(finishReasonOf("tool_use"), "tool_calls");
  assert.equal(finishReasonOf("refusal"), "content_filter");
  assert.equal(finishReasonOf(null), "stop");
  assert.equal(finishReasonOf("pause_turn"), "pause_turn", "unknown reasons pass through");
  for (const [, finish] of STOP_REASONS) assert.equal(finishReasonOf(stopReasonOf(finish)), finish);
  assert.equal(stopReasonOf("stop"), "end_turn", "the first listed is written");
  assert.equal(stopReasonOf("function_call"), "tool_use");
  assert.equal(stopReasonOf("budget"), undefined);
});

test("tool choices pair each Anthropic type with one OpenAI string", () => {
  assert.deepEqual(
    TOOL_CHOICES.map(([a, o]) => `${a}=${o}`),
    ["auto=auto", "any=required", "none=none"],
  );
});
