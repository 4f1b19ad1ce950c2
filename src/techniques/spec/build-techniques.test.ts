import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { createRunContext } from "../../core/context.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest, LM } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { defineTechnique, type TechniqueLM } from "../define-technique.ts";
import { formatValue } from "../format-technique.ts";
import { createRegistry, defaultRegistry } from "../registry.ts";
import type { SpecEnv } from "./build-techniques.ts";
import { formatTechniqueSpec } from "./format-technique-spec.ts";
import { isTechniqueLM } from "../technique-tree.ts";
import { parseLMSpec } from "./build-techniques.ts";
import type { ParameterInfo } from "./technique-parameters.ts";

const isLM = (v: unknown): v is LM => typeof v === "object" && v !== null && typeof (v as LM).complete === "function";
const lmOption = z.custom<LM>(isLM, "expected a model");
const ask: ChatRequest = { messages: [{ role: "user", content: "What is 6 times 7?" }] };

/** Majority over n samples of the inner LM. */
const vote = defineTechnique({
  name: "vote",
  family: "sample-many",
  paper: "Wang et al. 2022, Self-Consistency Improves Chain of Thought Reasoning in Language Models",
  description: "Majority answer over n samples.",
  options: z.strictObject({
    n: z.number().int().min(1).max(16).default(3).describe("samples to vote over"),
    answer: z.string().default("auto"),
  }),
  async run(run, o) {
    const r = await run.inner.complete({ ...run.request, n: o.n }, run.ctx);
    const count = new Map<string, number>();
    for (const c of r.choices)
      count.set(contentText(c.message.content), (count.get(contentText(c.message.content)) ?? 0) + 1);
    const top = [...count.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    return r.choices.find((c) => contentText(c.message.content) === top)!;
  },
});

/** Draft, then `rounds` rewrites. */
const refine = defineTechnique({
  name: "refine",
  family: "iterate",
  paper: "Madaan et al. 2023, Self-Refine: Iterative Refinement with Self-Feedback",
  description: "Rewrites its own draft.",
  options: z.strictObject({
    rounds: z.number().int().min(0).max(5).default(1),
    prompt: z.string().min(1).default("Improve this answer:\n{answer}"),
    stop: z.array(z.string()).default([]),
    temperature: z.number().min(0).max(2).optional(),
  }),
  async run(run, o) {
    let r = await run.inner.complete(run.request, run.ctx);
    for (let i = 0; i < o.rounds; i++) {
      const prompt = o.prompt.replace("{answer}", resultText(r));
      r = await run.inner.complete(
        { ...run.request, messages: [...run.request.messages, { role: "user", content: prompt }] },
        run.ctx,
      );
    }
    return r;
  },
});

const judgePick = defineTechnique({
  name: "judge-pick",
  family: "cascade",
  paper: "test",
  description: "A judge model rewrites the inner model's answer.",
  modelOptions: ["judge"],
  options: z.strictObject({ judge: lmOption.optional(), k: z.number().int().min(1).default(2) }),
  async run(run, o) {
    const draft = await run.inner.complete(run.request, run.ctx);
    return (o.judge ?? run.inner).complete(
      { messages: [{ role: "user", content: `Check: ${resultText(draft)}` }] },
      run.ctx,
    );
  },
});

const ensemble = defineTechnique({
  name: "ensemble",
  family: "sample-many",
  paper: "test",
  description: "Asks several models at once.",
  modelOptions: ["models"],
  options: z.strictObject({ models: z.array(lmOption).default([]), mode: z.enum(["all", "first"]).default("all") }),
  async run(run, o) {
    const results = await Promise.all([run.inner, ...o.models].map((m) => m.complete(run.request, run.ctx)));
    return results[0]!;
  },
});

const weighted = defineTechnique({
  name: "weighted",
  family: "sample-many",
  paper: "test",
  description: "Has an object option.",
  options: z.strictObject({ weights: z.record(z.string(), z.number()).default({}) }),
  run: (run) => run.inner.complete(run.request, run.ctx),
});

/** A fresh environment that records which models it was asked for. */
function testEnv(
  extra: Partial<SpecEnv> = {},
): SpecEnv & { resolved: string[]; made: ReturnType<typeof scriptedLM>[] } {
  const resolved: string[] = [];
  const made: ReturnType<typeof scriptedLM>[] = [];
  return {
    registry: createRegistry([vote, refine, judgePick, ensemble, weighted]),
    resolved,
    made,
    resolveModel(spec) {
      resolved.push(spec);
      const name = spec === "fast" ? "fast-model" : /^scripted:(.+)$/.exec(spec)?.[1];
      if (!name) throw new ConfigurationError(`unknown model "${spec}"`);
      made.push(scriptedLM(() => `The answer is 42 (${name}).`, { name }));
      return made.at(-1)!;
    },
    ...extra,
  };
}

/** What an LM is made of, with LMs as their structure: equal specs give equal structures. */
function structure(lm: LM): unknown {
  const value = (v: unknown): unknown => (isLM(v) ? structure(v) : Array.isArray(v) ? v.map(value) : v);
  if (!isTechniqueLM(lm)) return { model: lm.id };
  const options = Object.fromEntries(Object.entries(lm.technique.options).map(([k, v]) => [k, value(v)]));
  return { technique: lm.technique.name, options, inner: structure(lm.technique.inner) };
}

function roundTrip(text: string, env = testEnv()): { lm: LM; printed: string } {
  const lm = parseLMSpec(text, env);
  const printed = formatTechniqueSpec(lm);
  assert.deepEqual(structure(parseLMSpec(printed, env)), structure(lm), `${text} → ${printed} builds something else`);
  return { lm, printed };
}

test("canonical specs print back exactly and rebuild equal LMs", () => {
  const canonical = [
    "vote@scripted:base",
    "vote(n=5)@scripted:base",
    "vote(n=5) > refine(rounds=2)@scripted:base",
    `refine(prompt="Make it better:\\n{answer} \\"now\\"", stop=[END, "two words"], temperature=0.5)@scripted:base`,
    "judge-pick(judge=scripted:judge)@scripted:base",
    "ensemble(models=[scripted:a, scripted:b], mode=first)@scripted:base",
    `judge-pick(judge="vote(n=5)@scripted:judge") > vote@scripted:base`,
    `weighted(weights={"a":1,"b":0.5})@scripted:base`,
    "vote@scripted:my model",
    "scripted:base",
  ];
  for (const text of canonical) assert.equal(roundTrip(text).printed, text);
});

test("other spellings print in canonical form: spacing, quotes, defaults dropped", () => {
  const cases: [string, string][] = [
    ["  vote( n = 5 , answer=auto, ) >refine(rounds=1)  @ scripted:base ", "vote(n=5) > refine@scripted:base"],
    [
      `refine(prompt='it\\'s {answer}', temperature=0.50)@scripted:base`,
      `refine(prompt="it's {answer}", temperature=0.5)@scripted:base`,
    ],
    ["refine(prompt=42)@scripted:base", `refine(prompt="42")@scripted:base`],
    ["ensemble(models=scripted:a)@scripted:base", "ensemble(models=[scripted:a])@scripted:base"],
    ["ensemble(models=[fast])@scripted:base", "ensemble(models=[scripted:fast-model])@scripted:base"],
    ["vote() > refine()@'scripted:base'", "vote > refine@scripted:base"],
  ];
  for (const [text, canonical] of cases) assert.equal(roundTrip(text).printed, canonical, text);
});

test("parameters reach the technique as typed values and models as LMs", () => {
  const { lm } = roundTrip(
    `refine(stop=[END, "two words"], prompt=42) > ensemble(models=[scripted:a, "judge-pick@scripted:j"])@scripted:base`,
  );
  assert.ok(isTechniqueLM(lm));
  assert.deepEqual(lm.technique.options, { rounds: 1, prompt: "42", stop: ["END", "two words"] });
  const inner = lm.technique.inner;
  assert.ok(isTechniqueLM(inner));
  const models = inner.technique.options.models as LM[];
  assert.deepEqual(
    models.map((m) => m.id),
    ["scripted:a", "judge-pick@scripted:j"],
  );
  assert.equal(inner.technique.inner.id, "scripted:base");
});

test("a chain is applied innermost first: a vote over refined answers", async () => {
  const env = testEnv();
  const lm = parseLMSpec("vote(n=3) > refine(rounds=1)@scripted:base", env);
  const [base] = env.made;
  assert.equal(env.made.length, 1);
  const result = await lm.complete(ask, createRunContext());
  // Three independent refine runs of two calls each; the other order would make two calls.
  assert.equal(base!.calls.length, 6);
  assert.equal(result.usage.calls, 6);
  assert.equal(resultText(result), "The answer is 42 (base).");
});

test("a plain model, an alias, and techniques over the default model", () => {
  const env = testEnv({ defaultModel: "scripted:default" });
  assert.equal(parseLMSpec("scripted:x", env).id, "scripted:x");
  assert.equal(parseLMSpec("fast", env).id, "scripted:fast-model");
  assert.equal(formatTechniqueSpec(parseLMSpec("vote(n=4)", env)), "vote(n=4)@scripted:default");
  assert.throws(
    () => parseLMSpec("vote(n=4)", testEnv()),
    (e) => InvalidRequestError.isInstance(e) && /no model given: write vote\(n=4\)@MODEL/.test(e.message),
  );
});

/** The InvalidRequestError building `text` gives, checking that no model was made first when `early`. */
function buildError(
  text: string,
  options: { early?: boolean; env?: ReturnType<typeof testEnv> } = {},
): InvalidRequestError {
  const env = options.env ?? testEnv();
  try {
    parseLMSpec(text, env);
  } catch (error) {
    assert.ok(InvalidRequestError.isInstance(error), `expected an InvalidRequestError, got ${String(error)}`);
    if (options.early) assert.deepEqual(env.resolved, [], "a model was resolved before the spec was checked");
    return error;
  }
  assert.fail(`"${text}" built without an error`);
}

test("an unknown technique lists the valid names, closest first, with a suggestion", () => {
  const error = buildError("vot(n=5) > refine@scripted:x", { early: true });
  assert.match(
    error.message,
    /^unknown technique "vot"; did you mean "vote"\? Valid techniques \(closest first\): vote, /,
  );
  assert.match(error.message, /\(at column 1\)\n  vot\(n=5\) > refine@scripted:x\n  \^$/);
  assert.match(buildError("vote > refin@scripted:x").message, /did you mean "refine"\?[^]*\n {9}\^$/);
  // A lone word close to a technique is a typo, not a model name to look up.
  const typo = buildError("refin", { early: true });
  assert.match(typo.message, /did you mean "refine"/);
  // A lone word far from any technique is tried as a model, and the error says both.
  const neither = buildError("zzqqxx");
  assert.match(
    neither.message,
    /unknown technique "zzqqxx"\. Valid techniques[^]*\. It is not a usable model either: unknown model "zzqqxx"/,
  );
});

test("an unknown parameter lists the technique's parameters with their defaults", () => {
  const error = buildError("vote(m=5)@scripted:x", { early: true });
  assert.match(
    error.message,
    /^vote has no parameter "m"; did you mean "n"\? Valid parameters: n=3 \(integer, 1 to 16\); answer="auto" \(string\)/,
  );
  assert.match(error.message, /\n  vote\(m=5\)@scripted:x\n {7}\^$/);
  const refineError = buildError("refine(temprature=1)@scripted:x", { early: true });
  assert.match(
    refineError.message,
    /did you mean "temperature"\?[^]*prompt="Improve this answer:\\n\{answer\}" \(string, non-empty\); stop=\[\] \(string\[\]\); temperature \(number, 0 to 2\)/,
  );
});

test("a bad value says which parameter and what is allowed", () => {
  const cases: [string, RegExp, number][] = [
    [
      "vote(n=0)@scripted:x",
      /^vote: bad value for n \(0\): Too small[^]*Allowed: integer, 1 to 16 \(default 3\) \(at/,
      8,
    ],
    ["vote(n=2.5)@scripted:x", /bad value for n \(2\.5\): [^]*integer/, 8],
    ["vote(n=many)@scripted:x", /bad value for n \(many\): [^]*expected number/, 8],
    ["ensemble(mode=sideways)@scripted:x", /bad value for mode \(sideways\)[^]*one of: all, first/, 15],
    ["refine(stop=[1, [2]])@scripted:x", /bad value for stop/, 13],
    ["judge-pick(judge=3)@scripted:x", /bad value for judge: expected a model spec like openai:gpt-4o-mini, got 3/, 18],
    ["judge-pick(judge=scripted:j, k=0)@scripted:x", /bad value for k \(0\)/, 32],
  ];
  for (const [text, pattern, column] of cases) {
    const error = buildError(text);
    assert.match(error.message, pattern, text);
    assert.match(error.message, new RegExp(`\\(at column ${column}\\)\\n`), `${text}: ${error.message}`);
  }
  const nested = buildError(`judge-pick(judge="vote(n=99)@scripted:j")@scripted:x`);
  assert.match(nested.message, /judge: "vote\(n=99\)@scripted:j" is not a usable model: vote: bad value for n \(99\)/);
});

test("errors from making a model are not dressed up as spec errors", () => {
  assert.throws(
    () => parseLMSpec("vote@nowhere:x", testEnv()),
    (e) => ConfigurationError.isInstance(e) && /unknown model "nowhere:x"/.test(e.message),
  );
});

/** A value for `param` other than its default that its schema accepts, for numbers, booleans and enums. */
function otherValue(param: ParameterInfo): unknown {
  const d = param.default;
  if (param.values) return param.values.find((v) => v !== d && v !== null);
  if (param.type === "boolean") return typeof d === "boolean" ? !d : true;
  if (param.type === "integer" || param.type === "number") {
    const step = param.type === "integer" ? 1 : 0.5;
    const mid = (lo: number, hi: number) => (param.type === "integer" ? Math.floor((lo + hi) / 2) : (lo + hi) / 2);
    if (typeof d !== "number")
      return param.minimum !== undefined && param.maximum !== undefined ? mid(param.minimum, param.maximum) : undefined;
    return param.maximum === undefined || d + step <= param.maximum ? d + step : d - step;
  }
  return undefined;
}

test("every built-in technique's spec prints back, with defaults and with each simple parameter changed", () => {
  const registry = defaultRegistry();
  const env = { ...testEnv(), registry };
  for (const info of registry.list()) {
    assert.equal(roundTrip(`${info.name}@scripted:x`, env).printed, `${info.name}@scripted:x`);
    for (const param of info.parameters) {
      const value = otherValue(param);
      if (value === undefined) continue;
      const text = `${info.name}(${param.name}=${formatValue(value)})@scripted:x`;
      const { lm, printed } = roundTrip(text, env);
      assert.equal(printed, text);
      assert.deepEqual((lm as TechniqueLM).technique.options[param.name], value, text);
    }
  }
});

test("aliases expand wherever a model stands, once per path; a cycle names its chain", () => {
  const env = testEnv({
    aliases: { fast2: "fast", voted: "vote(n=2)@fast2", loop: "vote@loop2", loop2: "refine@loop" },
  });
  assert.equal(parseLMSpec(" voted ", env).id, "vote(n=2)@scripted:fast-model");
  assert.equal(parseLMSpec("refine@voted", env).id, "refine > vote(n=2)@scripted:fast-model");
  assert.equal(parseLMSpec("refine", { ...env, defaultModel: "voted" }).id, "refine > vote(n=2)@scripted:fast-model");
  assert.throws(
    () => parseLMSpec("loop", env),
    (e) =>
      InvalidRequestError.isInstance(e) && /alias "loop" refers to itself \(loop -> loop2 -> loop\)/.test(e.message),
  );
  // The same alias twice on different paths is no cycle.
  assert.equal(parseLMSpec("ensemble(models=[fast2, fast2])@fast2", env).id.includes("fast-model"), true);
});

test("alias texts and the default model are built in the trusted env; the client's own text is not", () => {
  const resolveModel = (spec: string) => scriptedLM(() => "ok", { name: spec });
  const trusted: SpecEnv = {
    registry: defaultRegistry(),
    resolveModel,
    aliases: { docs: "retrieve(index=/srv/docs.sqlite)@openai:m" },
    defaultModel: "openai:m",
  };
  const refuse = () => {
    throw new InvalidRequestError("not yours", { param: "index" });
  };
  const client: SpecEnv = {
    ...trusted,
    policy: ({ technique, options }) => (technique.name === "retrieve" ? refuse() : options),
    trusted,
  };
  assert.match(parseLMSpec("docs", client).id, /^retrieve\(index=/);
  assert.match(parseLMSpec("re2@docs", client).id, /^re2 > retrieve/);
  assert.throws(() => parseLMSpec("retrieve(index=/etc/x)@openai:m", client), /not yours/);
});
