import assert from "node:assert/strict";
import { test } from "node:test";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { defaultRegistry } from "../registry.ts";
import { parseLMSpec } from "../spec/index.ts";
import { reasoningEffort } from "./reasoning-effort.ts";

test("every request below the layer carries the effort; unset, the request's own goes through", async () => {
  const inner = scriptedLM((request) => `effort ${request.reasoning_effort ?? "unset"}`);
  const low = reasoningEffort(inner, { effort: "low" });
  const out = await low.complete({ messages: [{ role: "user", content: "hi" }], reasoning_effort: "high" });
  assert.equal(out.choices[0]!.message.content, "effort low");
  const passing = reasoningEffort(inner);
  const own = await passing.complete({ messages: [{ role: "user", content: "hi" }], reasoning_effort: "minimal" });
  assert.equal(own.choices[0]!.message.content, "effort minimal");
  assert.throws(() => reasoningEffort(inner, { effort: "extreme" as never }), /effort/);
});

test("under a technique, every call to the model carries it, and the spec prints it back", async () => {
  const inner = scriptedLM(() => "The answer is 4.");
  const env = { registry: defaultRegistry(), resolveModel: () => inner };
  const lm = parseLMSpec("self-consistency(n=3) > reasoning-effort(effort=medium)@m", env);
  await lm.complete({ messages: [{ role: "user", content: "2+2?" }] });
  assert.ok(inner.calls.length >= 1);
  assert.ok(inner.calls.every((c) => c.reasoning_effort === "medium"));
  assert.match(lm.id, /^self-consistency\(n=3\) > reasoning-effort\(effort=medium\)@/);
});
