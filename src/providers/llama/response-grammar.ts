import type { Llama, LlamaGrammar } from "node-llama-cpp";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { ResponseFormat } from "../../core/types.ts";

const cache = new WeakMap<Llama, Map<string, Promise<LlamaGrammar>>>();

/**
 * The grammar that constrains sampling for `response_format`: JSON for `json_object`, the schema's
 * grammar for `json_schema`, none for text. Grammars are compiled once per Llama and schema.
 */
export async function grammarForResponseFormat(options: {
  llama: Llama;
  format?: ResponseFormat;
}): Promise<LlamaGrammar | undefined> {
  const format = options.format;
  if (!format || format.type === "text") return undefined;
  if (format.type !== "json_object" && format.type !== "json_schema")
    throw new InvalidRequestError(
      `response_format type ${JSON.stringify((format as { type: unknown }).type)} is not supported`,
      { param: "response_format" },
    );
  const schema = format.type === "json_schema" ? format.json_schema?.schema : undefined;
  if (format.type === "json_schema" && (!schema || typeof schema !== "object"))
    throw new InvalidRequestError("response_format json_schema needs json_schema.schema", {
      param: "response_format.json_schema.schema",
    });
  const key = schema ? JSON.stringify(schema) : "json";
  let byKey = cache.get(options.llama);
  if (!byKey) cache.set(options.llama, (byKey = new Map()));
  let grammar = byKey.get(key);
  if (!grammar) {
    // A user's schema is only known at run time; node-llama-cpp checks what it can compile.
    grammar = schema
      ? options.llama.createGrammarForJsonSchema(withOneOf(schema) as never)
      : options.llama.getGrammarFor("json");
    byKey.set(key, grammar);
    grammar.catch(() => byKey!.delete(key));
  }
  try {
    return await grammar;
  } catch (error) {
    // node-llama-cpp compiles a subset of JSON Schema; say which part it refused.
    throw new InvalidRequestError(
      `cannot constrain output to this JSON schema: ${error instanceof Error ? error.message : String(error)}`,
      {
        param: "response_format.json_schema.schema",
        cause: error,
      },
    );
  }
}

/**
 * node-llama-cpp knows `oneOf` but not `anyOf`, which zod and pydantic emit for unions and nullable
 * fields. For generation the two mean the same: the output must match one of the alternatives.
 */
function withOneOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withOneOf);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema))
    out[key === "anyOf" && !("oneOf" in schema) ? "oneOf" : key] = withOneOf(value);
  return out;
}
