import { z } from "zod";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { HttpError } from "../http-error.ts";
import { sharedBodyFields } from "../chat-body-schema.ts";
import { zodIssueError } from "../zod-issue-error.ts";

/**
 * The `POST /v1/completions` fields (OpenAI's legacy Completions API): the settings it shares with
 * chat completions, `prompt` as text (a string or 1 to maxN strings), `echo`, `logit_bias`, and
 * `best_of`, `logprobs` and `suffix`, which are typed here so that `checkServed` can say why they are
 * refused. The body is translated rather than forwarded, so an unknown field is a 400 naming it.
 */
export function completionsBodySchema(options: { maxN: number }) {
  return z.strictObject({
    ...sharedBodyFields(options),
    prompt: z.union([z.string(), z.array(z.string()).min(1).max(options.maxN)], {
      error: "must be a string or an array of strings",
    }),
    echo: z.boolean().nullish(),
    best_of: z.number().int().min(1).nullish(),
    logit_bias: z
      .record(z.string(), z.number().min(-100).max(100))
      .refine((bias) => Object.keys(bias).every((k) => /^\d{1,10}$/.test(k)), "keys must be token ids")
      .nullish(),
    logprobs: z.number().int().min(0).max(5).nullish(),
    suffix: z.string().nullish(),
  });
}

export type CompletionsBody = z.output<ReturnType<typeof completionsBodySchema>>;

/** The completions-only fields a client may send as `null`, meaning "not set" (for dropNullSettings). */
export const COMPLETIONS_NULLABLE = ["echo", "best_of", "logit_bias", "logprobs", "suffix"] as const;

/**
 * The body checked: its shape, then what lmx cannot serve faithfully (a 400 naming the parameter, never
 * a setting silently ignored), then the batch size: prompts × n completions at most `maxN`.
 */
export function parseCompletionsBody(
  schema: ReturnType<typeof completionsBodySchema>,
  body: unknown,
  limits: { maxN: number; maxBodyBytes: number },
): CompletionsBody {
  const { maxN } = limits;
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new InvalidRequestError("the request body must be a JSON object");
  const prompt = (body as { prompt?: unknown }).prompt;
  if (Array.isArray(prompt) && prompt.some((p) => typeof p === "number" || Array.isArray(p)))
    throw new InvalidRequestError(
      "prompt: token arrays are not supported (lmx sends prompts to chat models as text); send the prompt as a string",
      { param: "prompt" },
    );
  if (Array.isArray(prompt) && prompt.length > maxN)
    throw new InvalidRequestError(`prompt: at most ${maxN} prompts per request (the server's maxN)`, {
      param: "prompt",
    });
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw zodIssueError(parsed.error.issues[0]!);
  checkServed(parsed.data);
  const prompts = typeof parsed.data.prompt === "string" ? 1 : parsed.data.prompt.length;
  const n = parsed.data.n ?? 1;
  if (prompts * n > maxN)
    throw new InvalidRequestError(
      `n: ${prompts} prompt${prompts === 1 ? "" : "s"} × n=${n} ask for ${prompts * n} completions; this server answers at most ${maxN} per request`,
      { param: "n" },
    );
  checkEcho(parsed.data, limits.maxBodyBytes);
  return parsed.data;
}

/** `echo` repeats each prompt before each of its n completions: what it adds may be no more than a body. */
function checkEcho(body: CompletionsBody, maxBodyBytes: number): void {
  if (body.echo !== true) return;
  const prompts = typeof body.prompt === "string" ? [body.prompt] : body.prompt;
  const echoed = prompts.reduce((sum, p) => sum + Buffer.byteLength(p), 0) * (body.n ?? 1);
  if (echoed > maxBodyBytes)
    throw new HttpError({
      status: 413,
      type: "invalid_request_error",
      code: "request_too_large",
      param: "echo",
      message: `echo would repeat ${echoed} bytes of prompt (prompts × n), more than the server's ${maxBodyBytes}-byte body limit`,
    });
}

/** Parameters whose meaning lmx cannot give: token log probabilities, insertion, choosing by likelihood. */
function checkServed(body: CompletionsBody): void {
  const refuse = (param: string, why: string) => {
    throw new InvalidRequestError(`${param}: ${why}`, { param });
  };
  if (body.logprobs != null)
    refuse("logprobs", "token log probabilities are not served on /v1/completions; leave logprobs out");
  if (body.suffix != null) refuse("suffix", "inserting text before a suffix is not supported; leave suffix out");
  const n = body.n ?? 1;
  if (body.best_of != null && body.best_of < n) refuse("best_of", `must be at least n (${n})`);
  if (body.best_of != null && body.best_of > n)
    refuse(
      "best_of",
      "choosing the likeliest of more completions than n needs token log probabilities, which lmx does not have; " +
        "leave best_of out (or equal to n), or name a technique such as best-of-n in the model",
    );
}
