import type { z } from "zod";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { objectShape, type ParameterInfo } from "../spec/technique-parameters.ts";
import { parameterGrid } from "./parameter-grid.ts";
import type { KnobDeclaration, ResolvedTunables, TechniqueTunables } from "./technique-tunables.ts";

/**
 * A technique's declared tunables with each knob's search values: its own, or its schema's grid
 * (within its declared range). A declaration naming an unknown option, a value the option rejects,
 * a knob with fewer than two values or an instruction that is not a string is a set-up error.
 */
export function resolveTunables(definition: {
  name: string;
  options: z.ZodType;
  tunables?: TechniqueTunables;
  modelOptions?: readonly string[];
  parameters: readonly ParameterInfo[];
}): ResolvedTunables {
  const { name, parameters } = definition;
  const declared = definition.tunables ?? {};
  const shape = objectShape(definition.options);
  const param = (option: string, what: string) => {
    const info = parameters.find((p) => p.name === option);
    if (!info) throw new ConfigurationError(`${name}: tunable ${what} "${option}" is not one of its options`);
    return info;
  };
  const knobs = (declared.knobs ?? []).map((k) => {
    const option = typeof k === "string" ? k : k.option;
    const info = param(option, "knob");
    const values = knobValues(k, info);
    if (!values || values.length < 2)
      throw new ConfigurationError(`${name}: knob "${option}" needs at least two values to search`);
    for (const v of values)
      if (!shape[option]!.safeParse(v).success)
        throw new ConfigurationError(`${name}: knob "${option}": its option rejects ${JSON.stringify(v)}`);
    return { name: option, values };
  });
  const instructions = (declared.instructions ?? []).map((option) => {
    const info = param(option, "instruction");
    if (!info.type.split(" | ").includes("string"))
      throw new ConfigurationError(`${name}: instruction "${option}" is not a string option`);
    return option;
  });
  if (declared.demos) {
    param(declared.demos.option, "demos option");
    if (declared.demos.count) param(declared.demos.count, "demos count");
  }
  return {
    knobs,
    instructions,
    ...(declared.demos ? { demos: { ...declared.demos } } : {}),
    models: [...(definition.modelOptions ?? [])],
  };
}

function knobValues(k: KnobDeclaration, info: ParameterInfo): unknown[] | undefined {
  if (typeof k === "string") return parameterGrid(info);
  if ("values" in k) return [...k.values];
  return parameterGrid({ ...info, minimum: k.range.min, maximum: k.range.max });
}
