import assert from "node:assert/strict";
import { test } from "node:test";
import { lastUserText } from "../core/messages.ts";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import type { TechniqueLM } from "../techniques/define-technique.ts";
import { defaultRegistry } from "../techniques/registry.ts";
import { parseLMSpec } from "../techniques/spec/index.ts";
import { proposePrompts } from "./propose-prompts.ts";

test("declared instructions are rewritten anywhere in the tree, a cascade rung's included; set ones are left alone", async () => {
  const lm = scriptedLM((request) => {
    const text = lastUserText(request);
    const placeholders = [...new Set(/exactly these placeholders: ([^.]*)\./.exec(text)![1]!.split(", "))];
    return JSON.stringify([`Think hard. ${placeholders.join(" ")}`]);
  });
  const out = await proposePrompts({
    lm,
    specs: ['cascade(models=["re2@scripted:big"]) > plan-and-solve(prompt="Q: {question} {trigger}")@scripted:small'],
    count: 1,
    registry: defaultRegistry(),
  });
  assert.deepEqual(
    out.specs.map((s) => s.option),
    ["cascade.prompt", "cascade.models[0].re2.reread_prompt"],
    "plan-and-solve's prompt is set by the spec, so it stays",
  );
  assert.equal(
    out.specs[1]!.spec,
    'cascade(models=["re2(reread_prompt=\\"Think hard. {question}\\")@scripted:big"]) > plan-and-solve(prompt="Q: {question} {trigger}")@scripted:small',
  );
  assert.equal(lm.calls.length, 2);
  // The rewritten spec builds: the rung's re2 carries the new instruction.
  const env = { registry: defaultRegistry(), resolveModel: () => lm };
  const built = parseLMSpec(out.specs[1]!.spec, env) as TechniqueLM;
  const rung = (built.technique.options.models as TechniqueLM[])[0]!;
  assert.equal(rung.technique.options.reread_prompt, "Think hard. {question}");
});
