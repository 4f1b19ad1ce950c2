import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { defaultRegistry } from "../registry.ts";
import { clientValue, hostResource, optionTrust } from "./option-trust.ts";
import { techniqueParameters } from "./technique-parameters.ts";

test("every option of every registered technique declares a trust class", () => {
  const missing: string[] = [];
  for (const info of defaultRegistry().list())
    for (const p of info.parameters) if (!p.trust) missing.push(`${info.name}.${p.name}`);
  assert.deepEqual(missing, [], "options without clientValue / clientModel / hostResource");
});

test("model options are declared as models, and only they", () => {
  for (const info of defaultRegistry().list())
    for (const p of info.parameters) assert.equal(p.trust?.class === "model", p.model, `${info.name}.${p.name}`);
});

test("the host resources the trust boundary depends on are declared host", () => {
  const registry = defaultRegistry();
  const host = (t: string, p: string) => registry.info(t).parameters.find((x) => x.name === p)?.trust?.class;
  for (const [t, p] of [
    ["few-shot", "demos"],
    ["retrieve", "index"],
    ["retrieve", "embedder"],
    ["memory", "store"],
    ["memory", "embedder"],
    ["memory", "verifier"],
    ["tools", "tools"],
    ["tools", "mcp_servers"],
    ["program-aided", "timeout_ms"],
    ["program-aided", "memory_mb"],
    ["codet", "timeout_ms"],
    ["codet", "memory_mb"],
  ])
    assert.equal(host(t!, p!), "host", `${t}.${p}`);
});

test("a trust class rides on the schema it marks and shows in the parameter info", () => {
  const schema = z.strictObject({
    a: clientValue(z.int().default(1)),
    b: hostResource(z.string().optional(), { grant: "indexes" }),
    c: z.string().optional(),
  });
  const [a, b, c] = techniqueParameters({ options: schema });
  assert.equal(a!.trust?.class, "client");
  assert.deepEqual(b!.trust, { class: "host", grant: "indexes" });
  assert.equal(c!.trust, undefined, "an unmarked option has no class (the registry test above catches it)");
  assert.equal(optionTrust(z.string()), undefined);
});
