import { LmxError } from "../core/errors/lmx-error.ts";

const marker = Symbol.for("lmx.http-error");

/** A refusal the proxy itself answers with (401, 404, 405, 413, 429) in the OpenAI error shape. */
export class HttpError extends LmxError {
  readonly [marker] = true;
  readonly status: number;
  readonly type: string;
  readonly param?: string;
  readonly headers: Record<string, string>;

  constructor(options: {
    status: number;
    type: string;
    code: string;
    message: string;
    param?: string;
    headers?: Record<string, string>;
  }) {
    super(options.code, options.message);
    this.name = "HttpError";
    this.status = options.status;
    this.type = options.type;
    this.param = options.param;
    this.headers = options.headers ?? {};
  }

  static isInstance(error: unknown): error is HttpError {
    return LmxError.isInstance(error) && (error as unknown as Record<symbol, unknown>)[marker] === true;
  }
}
