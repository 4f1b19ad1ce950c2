import type { z } from "zod";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";

/** A body's first schema problem as the 400 naming its `param` (`input[2].content`); unknown fields by name. */
export function zodIssueError(first: z.core.$ZodIssue): InvalidRequestError {
  const issue = specific(first);
  // An unknown field is named as the parameter itself.
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
  const param = path.map((k, i) => (typeof k === "number" ? `[${k}]` : i ? `.${String(k)}` : String(k))).join("");
  const message =
    issue.code === "unrecognized_keys" ? `unknown parameter: ${issue.keys.slice(0, 3).join(", ")}` : issue.message;
  return new InvalidRequestError(`${param && !issue.path.length ? "" : param ? `${param}: ` : ""}${message}`, {
    param: param || undefined,
  });
}

/** Of a union's failed branches, the problem deepest in the body: `input[0].role`, not `input`. */
function specific(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union" || !issue.errors.length) return issue;
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors) {
    const inner = branch[0];
    if (!inner) continue;
    const candidate = specific({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue);
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  return best && best.path.length > issue.path.length ? best : issue;
}
