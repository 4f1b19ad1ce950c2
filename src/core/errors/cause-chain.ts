/** How deep a chain of causes is followed: real ones are two or three long; a cycle must end. */
const MAX_DEPTH = 6;

/**
 * The errors behind `error`: its `cause`, their causes, and the `errors` of an AggregateError (as
 * happy eyeballs throws one per address tried), outermost first, `error` itself not included.
 */
export function causeChain(error: unknown): Error[] {
  const found: Error[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (!(e instanceof Error) || depth > MAX_DEPTH) return;
    found.push(e);
    if (e instanceof AggregateError) for (const inner of e.errors) visit(inner, depth + 1);
    visit(e.cause, depth + 1);
  };
  if (error instanceof Error) {
    if (error instanceof AggregateError) for (const inner of error.errors) visit(inner, 1);
    visit(error.cause, 1);
  }
  return found;
}

/** The `code` of a Node or undici error (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`), if it has one. */
export function errorCode(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}
