/** A response's id is its trace's: `resp_<trace id>`. */
export function responseId(traceId: string): string {
  return `resp_${traceId}`;
}

/** An output item's id names its response's trace: `msg_<trace id>_<index>` (also `fc_`, `rs_`). */
export function itemId(kind: "msg" | "fc" | "rs", traceId: string, index: number): string {
  return `${kind}_${traceId}_${index}`;
}

/** The trace id an output item's id names, if it is one of ours. */
export function traceOfItem(id: string): string | undefined {
  return /^(?:msg|fc|rs)_(.+)_\d+$/.exec(id)?.[1];
}
