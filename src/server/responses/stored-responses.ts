import type { Span } from "../../trace/span.ts";
import type { Caller } from "../access.ts";
import { HttpError } from "../http-error.ts";
import type { TenantTraces } from "../tenant-traces.ts";
import type { InputItem } from "./responses-body-schema.ts";
import type { OutputItem } from "./responses-output.ts";
import { traceOfItem } from "./response-ids.ts";

/** The root span attribute holding a stored response: the conversation it was given and its output items. */
export const RESPONSE_ATTRIBUTE = "lmx.response";

interface StoredResponse {
  input: InputItem[];
  output: OutputItem[];
}

/**
 * Files a response with its trace, so `previous_response_id` and `item_reference` find it for as long as
 * the trace store keeps the trace (and only for the tenant that owns it). One larger than `maxBytes` is
 * not stored: answers `false`.
 */
export function storeResponse(span: Span, response: StoredResponse, maxBytes: number): boolean {
  if (JSON.stringify(response).length > maxBytes) return false;
  span.set({ [RESPONSE_ATTRIBUTE]: response });
  return true;
}

/** The conversation `previous_response_id` continues: the stored input, then its output as input items. */
export async function previousItems(traces: TenantTraces, caller: Caller, id: string): Promise<InputItem[]> {
  const stored = id.startsWith("resp_") ? await storedResponse(traces, caller, id.slice(5)) : undefined;
  if (!stored) throw notFound("previous_response_not_found", "previous_response_id", "no such stored response");
  return [...stored.input, ...stored.output.flatMap(asInput)];
}

/**
 * `item_reference` items replaced by the stored output items they name (the AI SDK sends earlier turns
 * this way); reasoning items drop out, as they do when sent whole.
 */
export async function resolveReferences(
  traces: TenantTraces,
  caller: Caller,
  items: readonly InputItem[],
): Promise<InputItem[]> {
  const resolved = await Promise.all(
    items.map(async (item, i) => {
      if (item.type !== "item_reference") return [item];
      const traceId = traceOfItem(item.id);
      const stored = traceId ? await storedResponse(traces, caller, traceId) : undefined;
      const found = stored?.output.find((o) => o.id === item.id);
      if (!found) throw notFound("item_not_found", `input[${i}].id`, "no such stored item");
      return asInput(found);
    }),
  );
  return resolved.flat();
}

/** Another tenant's response is answered exactly like a missing one. */
async function storedResponse(
  traces: TenantTraces,
  caller: Caller,
  traceId: string,
): Promise<StoredResponse | undefined> {
  const stored = (await traces.get(caller, traceId))?.root.attributes[RESPONSE_ATTRIBUTE] as
    Partial<StoredResponse> | undefined;
  return Array.isArray(stored?.input) && Array.isArray(stored.output) ? (stored as StoredResponse) : undefined;
}

function notFound(code: string, param: string, what: string): HttpError {
  return new HttpError({
    status: 404,
    type: "invalid_request_error",
    code,
    param,
    message: `${what} (only the server's last traces are kept)`,
  });
}

/** An output item as the input item a client would send back for it (reasoning is not sent back). */
function asInput(item: OutputItem): InputItem[] {
  if (item.type === "message")
    return [{ role: "assistant", content: item.content.map((c) => ({ type: "output_text", text: c.text })) }];
  if (item.type === "function_call")
    return [{ type: "function_call", call_id: item.call_id, name: item.name, arguments: item.arguments }];
  return [];
}
