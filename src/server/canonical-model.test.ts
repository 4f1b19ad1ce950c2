import assert from "node:assert/strict";
import { test } from "node:test";
import { startProxyFixture } from "./testing/proxy-fixture.ts";

test("traces name the LM by its canonical spec, and a client may send that spec back as its model", async () => {
  const f = await startProxyFixture({ reply: () => "The answer is 4." });
  try {
    const ask = { messages: [{ role: "user" as const, content: "What is 2+2?" }] };
    const stacked = "self-consistency(n=3) > self-refine(rounds=2)";
    await f.client.chat.completions.create({ ...ask, model: stacked });
    const list = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: { lm?: string }[] };
    const printed = list.data[0]!.lm!;
    assert.equal(printed, `${stacked}@openai:test-model`);
    const again = await f.client.chat.completions.create({ ...ask, model: printed });
    assert.equal(again.choices[0]!.message.content, "The answer is 4.");
    const after = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: { lm?: string; model: string }[] };
    assert.equal(after.data[0]!.model, printed);
    assert.equal(after.data[0]!.lm, printed, "it prints back unchanged");
    // An LM given as an option prints as its own spec, quoted, and reads back too.
    const nested = `cascade(models=["${printed}"])@openai:test-model`;
    await f.client.chat.completions.create({ ...ask, model: nested });
    const last = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: { lm?: string }[] };
    await f.client.chat.completions.create({ ...ask, model: last.data[0]!.lm! });
  } finally {
    await f.close();
  }
});
