import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../core/context.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import { defineProvider } from "../providers/define-provider.ts";
import type { ProviderDriver } from "../providers/provider-driver.ts";
import { estimatePromptTokens } from "./estimate-tokens.ts";

/** A driver whose tokenizer, like real ones on Chinese text, spends a token per character. */
function charTokenDriver(): ProviderDriver & { calls: number } {
  const driver = {
    provider: "chars",
    model: "m",
    calls: 0,
    capabilities: { nativeN: false, logprobs: false, tools: false, streaming: false, constrainedOutput: false },
    async complete(request: { messages: { content: unknown }[] }) {
      driver.calls++;
      const prompt = request.messages.reduce((s, m) => s + [...String(m.content)].length, 0);
      return {
        choices: [{ index: 0, message: { role: "assistant" as const, content: "好" }, finish_reason: "stop" }],
        usage: { prompt_tokens: prompt, completion_tokens: 1 },
      };
    },
  };
  return driver;
}

test("a Chinese prompt bigger than the token budget is refused before it is sent", async () => {
  const driver = charTokenDriver();
  const ctx = createRunContext({ budget: { tokens: 100 } });
  const question = "请用中文详细解释为什么天空是蓝色的".repeat(10); // 170 characters, ~170 tokens
  await assert.rejects(
    defineProvider(driver).complete({ messages: [{ role: "user", content: question }] }, ctx),
    (e) => BudgetExceededError.isInstance(e) && e.limit === "tokens",
  );
  assert.equal(driver.calls, 0);
  assert.equal(ctx.budget.used.tokens, 0);
});

test("the estimate is unchanged for English and grows with every script's real size", () => {
  const english = "What is the capital of France?";
  assert.equal(
    estimatePromptTokens({ messages: [{ role: "user", content: english }] }),
    Math.ceil(english.length / 4) + 4,
  );
  for (const text of [
    "Какая столица Франции?",
    "フランスの首都はどこですか？",
    "프랑스의 수도는 어디입니까?",
    "😀😀😀😀",
  ]) {
    const estimate = estimatePromptTokens({ messages: [{ role: "user", content: text }] }) - 4;
    assert.ok(estimate >= [...text].length / 2, `${text}: ${estimate} tokens`);
  }
});
