import type { z } from "zod";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";

/** A body's first schema problem as the 400 naming its `param` (`input[2].content`); unknown fields by name. */
export function zodIssueError(issue: z.core.$ZodIssue): InvalidRequestError {
  const param = issue.path.map((k, i) => (typeof k === "number" ? `[${k}]` : i ? `.${String(k)}` : String(k))).join("");
  const message =
    issue.code === "unrecognized_keys" ? `unknown parameter: ${issue.keys.slice(0, 3).join(", ")}` : issue.message;
  return new InvalidRequestError(`${param ? `${param}: ` : ""}${message}`, { param: param || undefined });
}
