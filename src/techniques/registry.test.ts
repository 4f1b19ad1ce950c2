import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import { allTechniques } from "./all.ts";
import { defineTechnique, type TechniqueRun } from "./define-technique.ts";
import { formatTechnique } from "./format-technique.ts";
import { createRegistry, defaultRegistry } from "./registry.ts";

const isLM = (v: unknown): v is LM => typeof v === "object" && v !== null && typeof (v as LM).complete === "function";
const passThrough = { run: (run: TechniqueRun) => run.inner.complete(run.request, run.ctx) };

const sampler = defineTechnique({
  name: "sampler",
  family: "sample-many",
  paper: "Wang et al. 2022, Self-Consistency Improves Chain of Thought Reasoning in Language Models",
  description: "Votes over samples.",
  options: z.strictObject({
    n: z.number().int().min(1).max(64).default(5).describe("how many samples"),
    temperature: z.number().positive().max(2).optional(),
    mode: z.enum(["majority", "weighted"]).default("majority"),
    stop: z.array(z.string()).default([]),
    seed: z.number().int().nullable().default(null),
    prompt: z.string().min(1).default("Answer: {question}"),
    judge: z
      .union([z.enum(["llm", "logprob"]), z.custom<() => boolean>((v) => typeof v === "function")])
      .default("llm"),
  }),
  ...passThrough,
});

const judged = defineTechnique({
  name: "judged",
  family: "cascade",
  paper: "Chen et al. 2023, FrugalGPT",
  description: "Escalates to other models.",
  modelOptions: ["judge", "models"],
  options: z.strictObject({ judge: z.custom<LM>(isLM).optional(), models: z.array(z.custom<LM>(isLM)).default([]) }),
  ...passThrough,
});

const plain = defineTechnique({
  name: "plain",
  family: "rephrase",
  paper: "none",
  description: "No options.",
  options: z.strictObject({}),
  ...passThrough,
});

test("list() describes each technique and its parameters from the zod schema", () => {
  const registry = createRegistry([sampler, judged, plain]);
  assert.deepEqual(registry.names(), ["sampler", "judged", "plain"]);
  const [s, j, p] = registry.list();
  assert.equal(s!.family, "sample-many");
  assert.match(s!.paper, /^Wang et al\. 2022/);
  assert.equal(s!.description, "Votes over samples.");
  assert.deepEqual(s!.parameters, [
    {
      name: "n",
      type: "integer",
      hasDefault: true,
      default: 5,
      model: false,
      minimum: 1,
      maximum: 64,
      allowed: "1 to 64",
      description: "how many samples",
    },
    {
      name: "temperature",
      type: "number",
      hasDefault: false,
      model: false,
      minimum: 0,
      maximum: 2,
      allowed: "> 0 and <= 2",
    },
    {
      name: "mode",
      type: "string",
      hasDefault: true,
      default: "majority",
      model: false,
      values: ["majority", "weighted"],
      allowed: "one of: majority, weighted",
    },
    { name: "stop", type: "string[]", hasDefault: true, default: [], model: false },
    { name: "seed", type: "integer | null", hasDefault: true, default: null, model: false },
    {
      name: "prompt",
      type: "string",
      hasDefault: true,
      default: "Answer: {question}",
      model: false,
      allowed: "non-empty",
    },
    // A function is settable from code only; the spec language can write the enum values.
    {
      name: "judge",
      type: "string | custom",
      hasDefault: true,
      default: "llm",
      model: false,
      values: ["llm", "logprob"],
      allowed: "one of: llm, logprob",
    },
  ]);
  assert.deepEqual(
    j!.parameters.map((x) => [x.name, x.type, x.model, x.hasDefault]),
    [
      ["judge", "model", true, false],
      ["models", "model[]", true, true],
    ],
  );
  assert.deepEqual(j!.modelOptions, ["judge", "models"]);
  assert.deepEqual(p!.parameters, []);
  assert.equal(registry.info("judged"), j, "infos are computed once");
});

test("get() returns the factory; an unknown name lists the valid ones closest first", () => {
  const registry = createRegistry([sampler, judged, plain]);
  assert.equal(registry.get("judged"), judged);
  assert.ok(registry.has("plain") && !registry.has("Plain"));
  assert.throws(
    () => registry.get("sampel"),
    (e) =>
      InvalidRequestError.isInstance(e) &&
      e.param === "technique" &&
      e.message ===
        'unknown technique "sampel"; did you mean "sampler"? Valid techniques (closest first): sampler, judged, plain',
  );
  assert.throws(
    () => registry.info("qqqqqqqqqq"),
    (e) => InvalidRequestError.isInstance(e) && /"qqqqqqqqqq"\. Valid techniques/.test(e.message),
  );
  assert.throws(() => createRegistry([]).get("x"), /no techniques are registered/);
});

test("two techniques with one name are a set-up error", () => {
  assert.throws(
    () => createRegistry([sampler, plain, sampler]),
    (e) => ConfigurationError.isInstance(e) && /"sampler"/.test(e.message),
  );
});

test("the default registry holds every built-in technique, each fully described", () => {
  const registry = defaultRegistry();
  assert.deepEqual(
    registry.names(),
    allTechniques.map((f) => f.definition.name),
  );
  const families = [
    "sample-many",
    "iterate",
    "beyond-context",
    "tools",
    "rephrase",
    "decompose",
    "search",
    "cascade",
    "prompting",
  ];
  for (const info of registry.list()) {
    assert.match(info.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `${info.name}: names are kebab-case`);
    assert.ok(families.includes(info.family), `${info.name}: family ${info.family}`);
    assert.ok(info.paper.trim() && info.description.trim(), `${info.name}: paper and description`);
    const definition = registry.get(info.name).definition;
    const defaults = definition.options.safeParse({});
    assert.ok(defaults.success, `${info.name}: the options schema must accept {} (defaults for everything)`);
    assert.equal(
      formatTechnique(definition, defaults.data as Record<string, unknown>),
      info.name,
      `${info.name}: defaults print as the bare name`,
    );
  }
});

test("every built-in technique declares its tunables (or {} for none), and each declaration resolves", () => {
  const registry = defaultRegistry();
  for (const name of registry.names()) {
    const definition = registry.get(name).definition;
    assert.ok(definition.tunables !== undefined, `${name}: declare tunables in defineTechnique (\`{}\` for none)`);
    const { tunables, parameters } = registry.info(name);
    const known = new Set(parameters.map((p) => p.name));
    // info() checked each value against its option's schema (cross-option rules are the tuner's to skip).
    for (const knob of tunables.knobs)
      assert.ok(known.has(knob.name) && knob.values.length >= 2, `${name}.${knob.name}`);
    for (const option of tunables.instructions) assert.ok(known.has(option), `${name}.${option}`);
  }
});

test("a tunable naming an unknown option, or a value its option rejects, is a set-up error", () => {
  const base = { family: "rephrase" as const, paper: "none", description: "x", ...passThrough };
  const badName = defineTechnique({
    ...base,
    name: "bad-name",
    options: z.strictObject({ n: z.int().default(1) }),
    tunables: { knobs: ["m"] },
  });
  assert.throws(
    () => createRegistry([badName]).info("bad-name"),
    (e) => ConfigurationError.isInstance(e) && /"m" is not one of its options/.test(e.message),
  );
  const badValue = defineTechnique({
    ...base,
    name: "bad-value",
    options: z.strictObject({ n: z.int().min(1).max(4).default(1) }),
    tunables: { knobs: [{ option: "n", values: [1, 9] }] },
  });
  assert.throws(() => createRegistry([badValue]).info("bad-value"), /rejects 9/);
  const ranged = defineTechnique({
    ...base,
    name: "ranged",
    options: z.strictObject({ n: z.int().min(1).max(64).default(2) }),
    tunables: { knobs: [{ option: "n", range: { min: 2, max: 5 } }] },
  });
  assert.deepEqual(createRegistry([ranged]).info("ranged").tunables.knobs, [{ name: "n", values: [2, 3, 5] }]);
});
