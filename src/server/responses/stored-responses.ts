import type { Span } from "../../trace/span.ts";
import type { Caller } from "../access.ts";
import { HttpError } from "../http-error.ts";
import type { TenantTraces } from "../tenant-traces.ts";
import type { InputItem } from "./responses-body-schema.ts";
import type { OutputItem } from "./responses-output.ts";

/** The root span attribute holding a stored response's conversation (its input and output, as input items). */
export const RESPONSE_ATTRIBUTE = "lmx.response";

/** A response's id is its trace's: `resp_<trace id>`. */
export function responseId(traceId: string): string {
  return `resp_${traceId}`;
}

/**
 * Files a response's conversation with its trace, so `previous_response_id` finds it for as long as the
 * trace store keeps the trace (and only for the tenant that owns it). A conversation larger than
 * `maxBytes` is not stored: answers `false`.
 */
export function storeResponse(
  span: Span,
  conversation: { input: readonly InputItem[]; output: readonly OutputItem[] },
  maxBytes: number,
): boolean {
  const items = [...conversation.input, ...conversation.output.flatMap(asInput)];
  if (JSON.stringify(items).length > maxBytes) return false;
  span.set({ [RESPONSE_ATTRIBUTE]: { items } });
  return true;
}

/** The stored conversation of `id`: another tenant's response is answered exactly like a missing one. */
export function previousItems(traces: TenantTraces, caller: Caller, id: string): InputItem[] {
  const traceId = id.startsWith("resp_") ? id.slice(5) : undefined;
  const stored = traceId ? traces.get(caller, traceId)?.root.attributes[RESPONSE_ATTRIBUTE] : undefined;
  const items = (stored as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items))
    throw new HttpError({
      status: 404,
      type: "invalid_request_error",
      code: "previous_response_not_found",
      param: "previous_response_id",
      message: "no such stored response (only the server's last traces are kept)",
    });
  return items as InputItem[];
}

/** An output item as the input item a client would send back for it (reasoning is not sent back). */
function asInput(item: OutputItem): InputItem[] {
  if (item.type === "message")
    return [{ role: "assistant", content: item.content.map((c) => ({ type: "output_text", text: c.text })) }];
  if (item.type === "function_call")
    return [{ type: "function_call", call_id: item.call_id, name: item.name, arguments: item.arguments }];
  return [];
}
