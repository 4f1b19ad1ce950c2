import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { z } from "zod";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { allTechniques } from "../techniques/all.ts";
import { defineTechnique, type TechniqueLM, type TechniqueRun } from "../techniques/define-technique.ts";
import { createRegistry, defaultRegistry } from "../techniques/registry.ts";
import { parseLMSpec } from "../techniques/spec/index.ts";
import { DEFAULT_CANDIDATES } from "./default-candidates.ts";
import { searchSpace } from "./search-space.ts";

const lm = scriptedLM(() => "The answer is 1.");
const env = { registry: defaultRegistry(), resolveModel: () => lm };
const model = "scripted:test";
const techniques = (s: ReturnType<typeof searchSpace>) => s.candidates.map((c) => c.technique);

test("the space discovered from self-consistency varies n over values within its range", () => {
  const space = searchSpace({ candidates: ["self-consistency"], model, env });
  const n = env.registry.info("self-consistency").parameters.find((p) => p.name === "n")!;
  const dim = space.dimensions.find((d) => d.name === "n")!;
  assert.equal(dim.technique, "self-consistency");
  assert.equal(dim.current, 5);
  assert.ok(dim.values.length >= 3);
  for (const v of dim.values)
    assert.ok(Number.isInteger(v) && (v as number) >= n.minimum! && (v as number) <= n.maximum!, `n=${String(v)}`);
  assert.deepEqual(techniques(space), [
    "self-consistency",
    ...dim.values.filter((v) => v !== 5).map((v) => `self-consistency(n=${v})`),
  ]);
  // Every candidate is a built LM whose technique layer carries the value.
  const ns = space.candidates.map(
    (c) => (c.plan.lm as unknown as { technique: { options: { n: number } } }).technique.options.n,
  );
  assert.deepEqual(
    ns.sort((a, b) => a - b),
    [...(dim.values as number[])].sort((a, b) => a - b),
  );
});

test("parameters a spec sets are fixed; only those it leaves open are discovered, main knob first", () => {
  const space = searchSpace({ candidates: ["adaptive-consistency(max=6)"], model, env, maxDimensions: 2 });
  assert.deepEqual(
    space.dimensions.map((d) => d.name),
    ["min", "batch"],
    "max is the spec's; min and batch are the next discrete knobs",
  );
  assert.ok(techniques(space).every((t) => t.includes("max=6")));
  assert.ok(
    space.skipped.some(
      (s) => s.technique === "adaptive-consistency(max=6, min=8)" && /min must not exceed max/.test(s.reason),
    ),
    "variants the technique rejects are skipped with why",
  );
});

test("--param varies exactly the named parameters, over all combinations, in every layer that has them", () => {
  const space = searchSpace({
    candidates: ["self-consistency > re2", "none"],
    params: ["n=1,3", "re2.reads=2,4"],
    model,
    env,
  });
  assert.deepEqual(
    techniques(space).sort(),
    [
      "none",
      "self-consistency(n=1) > re2",
      "self-consistency(n=1) > re2(reads=4)",
      "self-consistency(n=3) > re2",
      "self-consistency(n=3) > re2(reads=4)",
    ].sort(),
  );
  assert.ok(space.candidates.filter((c) => c.technique !== "none").every((c) => c.origin === "param"));
  assert.throws(
    () => searchSpace({ candidates: ["re2"], params: ["n=1,3"], model, env }),
    (e) => InvalidRequestError.isInstance(e) && /no candidate technique has this parameter/.test(e.message),
  );
});

test("sweeps expand, duplicates of one configuration are kept once, answer kinds are filled in", () => {
  const space = searchSpace({
    candidates: ["self-consistency(n={3,5})", "self-consistency"],
    discover: false,
    answer: "number",
    model,
    env,
  });
  assert.deepEqual(techniques(space), ["self-consistency(n=3)", "self-consistency(n=5)"]);
  assert.deepEqual(
    space.candidates.map((c) => c.plan.canonical),
    ["self-consistency(n=3, answer=number)", "self-consistency(answer=number)"],
  );
});

test("default candidates: the bare model, the default set and each one's main knob; capped without losing a base", () => {
  const space = searchSpace({ model, env });
  for (const base of DEFAULT_CANDIDATES) assert.ok(techniques(space).includes(base), base);
  assert.ok(techniques(space).includes("self-consistency(n=1)"));
  assert.ok(techniques(space).includes("plan-and-solve(variant=ps+)"));
  const capped = searchSpace({ model, env, maxCandidates: 8 });
  assert.equal(capped.candidates.length, 8);
  assert.ok(capped.truncated > 0);
  for (const base of DEFAULT_CANDIDATES) assert.ok(techniques(capped).includes(base), `${base} survives the cap`);
});

test("every candidate spec parses back to the same configuration", () => {
  for (const c of searchSpace({ model, env, maxDimensions: 2 }).candidates) {
    if (c.technique === "none") continue;
    assert.equal(parseLMSpec(`${c.technique}@${model}`, env).id, c.plan.lm.id, c.technique);
  }
});

const passThrough = {
  family: "rephrase" as const,
  paper: "none",
  description: "Passes the request through.",
  run: (run: TechniqueRun) => run.inner.complete(run.request, run.ctx),
};
// Its first discrete option in schema order is `mode`; it declares `n` as its only knob.
const ordered = defineTechnique({
  ...passThrough,
  name: "ordered",
  options: z.strictObject({ mode: z.enum(["a", "b"]).default("a"), n: z.int().min(1).max(9).default(1) }),
  tunables: { knobs: [{ option: "n", values: [1, 2, 4] }] },
});
const fixed = defineTechnique({
  ...passThrough,
  name: "fixed",
  options: z.strictObject({ mode: z.enum(["a", "b"]).default("a"), n: z.int().min(1).max(9).default(1) }),
  tunables: {},
});

test("the tuner varies the knob a technique declares, not its first discrete option; `{}` means nothing to vary", () => {
  const custom = { ...env, registry: createRegistry([...allTechniques, ordered, fixed]) };
  const space = searchSpace({ candidates: ["ordered", "fixed"], model, env: custom, maxDimensions: 3 });
  assert.deepEqual(
    space.dimensions.map((d) => [d.technique, d.name, d.values]),
    [["ordered", "n", [1, 2, 4]]],
  );
  assert.deepEqual(techniques(space), ["ordered", "fixed", "ordered(n=2)", "ordered(n=4)"]);
});

test("knobs of techniques held in model options are tuned too: a cascade rung's self-consistency", () => {
  const base = 'cascade(models=["self-consistency@scripted:big"])';
  const space = searchSpace({ candidates: [base], model, env });
  const nested = space.dimensions.find((d) => d.node === "cascade.models[0].self-consistency")!;
  assert.equal(nested.name, "n");
  assert.deepEqual(nested.path, [{ layer: 0, option: "models", index: 0 }, { layer: 0 }]);
  for (const n of [1, 3, 8])
    assert.ok(techniques(space).includes(`cascade(models=["self-consistency(n=${n})@scripted:big"])`), `n=${n}`);
  // The built candidate's rung is the varied technique.
  const one = space.candidates.find((c) => c.technique === 'cascade(models=["self-consistency(n=1)@scripted:big"])')!;
  const rung = (one.plan.lm as TechniqueLM).technique.options.models as TechniqueLM[];
  assert.equal(rung[0]!.technique.name, "self-consistency");
  assert.equal(rung[0]!.technique.options.n, 1);
  // `--param` reaches it as well.
  const param = searchSpace({ candidates: [base], params: ["self-consistency.n=2,4"], model, env });
  assert.deepEqual(
    techniques(param),
    [2, 4].map((n) => `cascade(models=["self-consistency(n=${n})@scripted:big"])`),
  );
});

test("--reasoning-effort tries every base at each effort, as a reasoning-effort layer innermost", () => {
  const space = searchSpace({
    candidates: ["none", "self-consistency(n=3)"],
    reasoningEfforts: ["low", "high"],
    discover: false,
    model,
    env,
  });
  assert.deepEqual(techniques(space), [
    "reasoning-effort(effort=low)",
    "reasoning-effort(effort=high)",
    "self-consistency(n=3) > reasoning-effort(effort=low)",
    "self-consistency(n=3) > reasoning-effort(effort=high)",
  ]);
});
