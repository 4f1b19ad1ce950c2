export { LmxError } from "./lmx-error.ts";
export { UpstreamError, type UpstreamFailure } from "./upstream-error.ts";
export { BudgetExceededError, type BudgetLimit } from "./budget-error.ts";
export { InvalidRequestError } from "./invalid-request-error.ts";
export { ConfigurationError } from "./configuration-error.ts";
export { AbortedError } from "./aborted-error.ts";
