import { HttpError } from "./http-error.ts";

/** Requests in flight; past `max` a request is refused at once with 429 and Retry-After. */
export class ConcurrencyGate {
  active = 0;

  constructor(readonly max: number) {}

  /** Takes a slot or throws a 429 HttpError; call the returned function exactly once to give it back. */
  enter(): () => void {
    if (this.active >= this.max)
      throw new HttpError({
        status: 429,
        type: "rate_limit_error",
        code: "rate_limit_exceeded",
        message: `this server is answering ${this.max} requests at once, its limit; retry shortly`,
        headers: { "retry-after": "1" },
      });
    this.active++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.active--;
      }
    };
  }
}
