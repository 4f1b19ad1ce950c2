import assert from "node:assert/strict";
import { test } from "node:test";
import { checkedUsage, MAX_TOKENS_PER_CALL, tokenCount } from "./checked-usage.ts";

const guess = () => ({ prompt_tokens: 7, completion_tokens: 3 });

test("token counts are non-negative integers within reason; anything else is no count", () => {
  for (const ok of [0, 1, 4096, MAX_TOKENS_PER_CALL]) assert.equal(tokenCount(ok), ok);
  for (const bad of ["10", -1, 1.5, 1e308, Infinity, NaN, MAX_TOKENS_PER_CALL + 1, {}, [], true])
    assert.equal(tokenCount(bad), undefined, String(bad));
});

test("reported counts are kept as they are when they are counts", () => {
  assert.deepEqual(checkedUsage({ prompt_tokens: 10, completion_tokens: 5, cached_tokens: 4 }, guess), {
    prompt_tokens: 10,
    completion_tokens: 5,
    cached_tokens: 4,
  });
  assert.deepEqual(checkedUsage({ prompt_tokens: undefined, completion_tokens: null }, guess), {
    prompt_tokens: 0,
    completion_tokens: 0,
    cached_tokens: 0,
  });
});

test("a count that is a string, negative or huge is replaced by the estimate and marked", () => {
  assert.deepEqual(checkedUsage({ prompt_tokens: "10", completion_tokens: 5 }, guess), {
    prompt_tokens: 7,
    completion_tokens: 5,
    cached_tokens: 0,
    estimated: true,
  });
  assert.deepEqual(checkedUsage({ prompt_tokens: 10, completion_tokens: -5 }, guess), {
    prompt_tokens: 10,
    completion_tokens: 3,
    cached_tokens: 0,
    estimated: true,
  });
  assert.deepEqual(checkedUsage({ prompt_tokens: 1e308, completion_tokens: 1e308 }, guess), {
    prompt_tokens: 7,
    completion_tokens: 3,
    cached_tokens: 0,
    estimated: true,
  });
  assert.deepEqual(checkedUsage({ prompt_tokens: 10, completion_tokens: 5, cached_tokens: "4" }, guess), {
    prompt_tokens: 10,
    completion_tokens: 5,
    cached_tokens: 0,
    estimated: true,
  });
  assert.equal(
    checkedUsage({ prompt_tokens: 3, completion_tokens: 5, cached_tokens: 9 }, guess).cached_tokens,
    3,
    "never more cached than prompt",
  );
});
