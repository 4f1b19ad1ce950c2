import { contentText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import type { ScriptedReply } from "../../providers/scripted/scripted-lm.ts";

/** The question every conformance run asks, and the answer every reply gives. */
export const conformanceQuestion = "What is 6 times 7?";
export const conformanceAnswer = "42";

/**
 * One reply that satisfies whatever a technique's stage asks for, so the suite needs nothing
 * technique-specific: a numbered subquestion (decomposition), reasoning, a perfect score, a stop
 * phrase, a pass verdict, a selection, code when code is asked for, and a final answer line last.
 * JSON is answered with a value matching the requested schema. Replies depend only on the request,
 * so complete() and stream() of the same script see the same texts.
 */
export function conformanceScript(request: ChatRequest): ScriptedReply {
  const format = request.response_format;
  if (format?.type === "json_schema") return { content: JSON.stringify(exampleOf(format.json_schema.schema ?? {})) };
  if (format?.type === "json_object")
    return { content: JSON.stringify({ answer: conformanceAnswer, score: 10, verdict: "pass" }) };
  const prompt = request.messages
    .map((m) => contentText(m.content))
    .join("\n")
    .toLowerCase();
  const lines = [
    "1. What is 6 times 7?",
    "Reasoning: 6 times 7 is 42, and checking it, 7 + 7 + 7 + 7 + 7 + 7 = 42.",
    "NO ISSUES",
    "Score: 10/10",
    "Verdict: PASS",
    "The most consistent response is Response 1.",
    "Final Answer: 42",
  ];
  if (/\b(javascript|js)\b/.test(prompt)) lines.push("```javascript\nconsole.log(42);\n```");
  else if (/\b(python|program|code)\b/.test(prompt)) lines.push("```python\nprint(42)\n```");
  lines.push(`The answer is ${conformanceAnswer}.`);
  return { content: lines.join("\n") };
}

/** A small value matching a JSON schema: the first enum value, 10 for numbers, "42" for strings. */
export function exampleOf(schema: Record<string, unknown>): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ("const" in schema) return schema.const;
  const union = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (union?.length) return exampleOf(union[0]!);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, exampleOf(v)]));
    }
    case "array":
      return [exampleOf((schema.items ?? {}) as Record<string, unknown>)];
    case "integer":
    case "number":
      return 10;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return conformanceAnswer;
  }
}
