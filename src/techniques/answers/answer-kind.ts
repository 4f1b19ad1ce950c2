import { z } from "zod";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { hostResource } from "../spec/option-trust.ts";

/** How answers are compared: `auto` classifies each extracted answer (choice, date, number, literal, text). */
export type AnswerKind = "auto" | "number" | "choice" | "text" | "literal" | "date" | { regex: RegExp };

const names = ["auto", "number", "choice", "text", "literal", "date"] as const;

/**
 * "number" | "choice" | "text" | "literal" | "date" | "auto" | "regex:<pattern>" → AnswerKind;
 * InvalidRequestError listing valid kinds otherwise.
 */
export function parseAnswerKind(spec: string): AnswerKind {
  const s = typeof spec === "string" ? spec.trim() : "";
  if ((names as readonly string[]).includes(s)) return s as (typeof names)[number];
  if (s.startsWith("regex:")) {
    const pattern = s.slice("regex:".length);
    if (!pattern)
      throw new InvalidRequestError("answer kind regex: needs a pattern, e.g. regex:ANSWER: (\\w+)", {
        param: "answer",
      });
    try {
      return { regex: new RegExp(pattern, "i") };
    } catch (error) {
      throw new InvalidRequestError(`answer kind ${s}: invalid regular expression (${(error as Error).message})`, {
        param: "answer",
        cause: error,
      });
    }
  }
  throw new InvalidRequestError(
    `unknown answer kind ${JSON.stringify(spec)}; valid kinds: ${names.join(", ")}, regex:<pattern>`,
    { param: "answer" },
  );
}

/** zod schema for a technique option `answer` (string, default "auto"), validated with parseAnswerKind (a `z.ZodType<string>`). */
export const answerOption: z.ZodDefault<z.ZodString> = z
  .string()
  .default("auto")
  .superRefine((value, ctx) => {
    try {
      parseAnswerKind(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  });

/**
 * The trust class of an `answer` option: the named kinds are a client's to pick; a `regex:` kind is the
 * operator's (aliases, code, the CLI), since a pattern that backtracks catastrophically would hold
 * the server's event loop while it runs over a model's output.
 */
export function answerTrust<T extends z.ZodType>(schema: T): T {
  return hostResource(schema, {
    clientMay: (value) => typeof value === "string" && !value.trim().startsWith("regex:"),
  });
}
