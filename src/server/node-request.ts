import type { Context } from "hono";
import type { IncomingMessage, ServerResponse } from "node:http";

/** The node request and response under a Hono context served by @hono/node-server; undefined elsewhere (tests calling app.fetch). */
export function nodeRequest(c: Context): { incoming: IncomingMessage; outgoing: ServerResponse } | undefined {
  const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  return env?.incoming && env.outgoing ? { incoming: env.incoming, outgoing: env.outgoing } : undefined;
}

/**
 * A signal aborted when the client goes away before its answer is complete. Over node it watches the
 * response itself: `c.req.raw.signal` would make the adapter build a full web Request (headers, body
 * stream, signal) for every request, which is most of what a pass-through spends in the adapter.
 */
export function clientSignal(c: Context): AbortSignal {
  const node = nodeRequest(c);
  if (!node) return c.req.raw.signal;
  const controller = new AbortController();
  const { incoming, outgoing } = node;
  if (outgoing.destroyed && !outgoing.writableFinished) controller.abort(new Error("the client went away"));
  else
    outgoing.once("close", () => {
      if (incoming.errored || !outgoing.writableFinished) controller.abort(new Error("the client went away"));
    });
  return controller.signal;
}
