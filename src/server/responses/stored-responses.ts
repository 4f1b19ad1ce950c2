import { wasCut } from "../../store/trace-store/trace-json.ts";
import type { Span } from "../../trace/span.ts";
import type { Caller } from "../access.ts";
import { HttpError } from "../http-error.ts";
import type { TenantTraces } from "../tenant-traces.ts";
import type { InputItem } from "./responses-body-schema.ts";
import type { OutputItem } from "./responses-output.ts";
import { traceOfItem } from "./response-ids.ts";

/** The root span attribute holding a stored response: the conversation it was given and its output items. */
export const RESPONSE_ATTRIBUTE = "lmx.response";

/** Most stored responses one request may reference: each is a trace read and parsed. */
export const MAX_REFERENCED_RESPONSES = 64;

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

/** Stored responses as one request reads them: each trace once, at most MAX_REFERENCED_RESPONSES. */
export function storedResponses(traces: TenantTraces, caller: Caller) {
  const read = new Map<string, Promise<StoredResponse | undefined>>();
  return (traceId: string, param: string): Promise<StoredResponse | undefined> => {
    let stored = read.get(traceId);
    if (!stored) {
      if (read.size >= MAX_REFERENCED_RESPONSES)
        throw new HttpError({
          status: 400,
          type: "invalid_request_error",
          code: "too_many_references",
          param,
          message: `a request may reference at most ${MAX_REFERENCED_RESPONSES} stored responses`,
        });
      stored = storedResponse(traces, caller, traceId, param);
      read.set(traceId, stored);
    }
    return stored;
  };
}

export type StoredResponses = ReturnType<typeof storedResponses>;

/** The conversation `previous_response_id` continues: the stored input, then its output as input items. */
export async function previousItems(stored: StoredResponses, id: string): Promise<InputItem[]> {
  const param = "previous_response_id";
  const response = id.startsWith("resp_") ? await stored(id.slice(5), param) : undefined;
  if (!response) throw notFound("previous_response_not_found", param, "no such stored response");
  return [...response.input, ...response.output.flatMap(asInput)];
}

/**
 * `item_reference` items replaced by the stored output items they name (the AI SDK sends earlier turns
 * this way); reasoning items drop out, as they do when sent whole. The conversation they make may be
 * no larger than `maxBytes` (the body limit: what a client could have sent whole).
 */
export async function resolveReferences(
  stored: StoredResponses,
  items: readonly InputItem[],
  maxBytes: number,
): Promise<InputItem[]> {
  const resolved: InputItem[] = [];
  let bytes = 0;
  for (const [i, item] of items.entries()) {
    if (item.type !== "item_reference") {
      resolved.push(item);
      continue;
    }
    const param = `input[${i}].id`;
    const traceId = traceOfItem(item.id);
    const found = traceId ? (await stored(traceId, param))?.output.find((o) => o.id === item.id) : undefined;
    if (!found) throw notFound("item_not_found", param, "no such stored item");
    const added = asInput(found);
    bytes += JSON.stringify(added).length;
    if (bytes > maxBytes)
      throw new HttpError({
        status: 413,
        type: "invalid_request_error",
        code: "request_too_large",
        param,
        message: `the referenced items come to more than the server's ${maxBytes}-byte body limit`,
      });
    resolved.push(...added);
  }
  return resolved;
}

/** Another tenant's response is answered exactly like a missing one. */
async function storedResponse(
  traces: TenantTraces,
  caller: Caller,
  traceId: string,
  param: string,
): Promise<StoredResponse | undefined> {
  const stored = (await traces.get(caller, traceId))?.root.attributes[RESPONSE_ATTRIBUTE] as
    Partial<StoredResponse> | undefined;
  if (!Array.isArray(stored?.input) || !Array.isArray(stored.output)) return undefined;
  // A conversation the trace store cut to fit its limits would be continued wrong: say so instead.
  if (anyStringCut(stored))
    throw new HttpError({
      status: 409,
      type: "invalid_request_error",
      code: "stored_response_truncated",
      param,
      message:
        "the stored response was cut to fit the trace store's limits (traces.maxFieldBytes): send the conversation whole",
    });
  return stored as StoredResponse;
}

function anyStringCut(value: unknown): boolean {
  if (typeof value === "string") return wasCut(value);
  if (Array.isArray(value)) return value.some(anyStringCut);
  if (value && typeof value === "object") return Object.values(value).some(anyStringCut);
  return false;
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
