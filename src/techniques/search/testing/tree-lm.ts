import { setTimeout as sleep } from "node:timers/promises";
import { lastUserText } from "../../../core/messages.ts";
import type { Capabilities, ChatRequest } from "../../../core/types.ts";
import { scriptedLM } from "../../../providers/scripted/scripted-lm.ts";

export type Stage = "propose" | "value" | "vote" | "answer" | "direct";

/** Which stage of a thought search (default prompts) a request belongs to. */
export function stageOf(request: ChatRequest): Stage {
  const text = lastUserText(request);
  if (text.startsWith("Solve the problem below one step at a time")) return "propose";
  if (text.startsWith("Judge a partial solution")) return "value";
  if (text.startsWith("Several partial solutions")) return "vote";
  if (text.includes("A line of reasoning for this question")) return "answer";
  return "direct";
}

/** The state labels a prompt shows ("Step 1: B", "Step 2: BC" -> ["B", "BC"]). */
export function stepsOf(request: ChatRequest): string[] {
  return [...lastUserText(request).matchAll(/^Step \d+: (\S+)/gm)].map((m) => m[1]!);
}

export interface TreeScript {
  /** Value reply per state label (the last step); an array gives sample k its k-th reply. Default "likely". */
  values?: Record<string, string | string[]>;
  /** Vote replies, sample k gets the k-th. */
  votes?: string[];
  /** States whose step gives the final answer. */
  complete?: string[];
  /** Labels of the proposals: child k of state "B" is "B" + letters[k]. */
  letters?: string;
  /** Every proposal is empty. */
  silent?: boolean;
  latencyMs?: number;
  capabilities?: Partial<Capabilities>;
}

/**
 * The replies of a known thought tree: proposals of state S are S+"A", S+"B", ...; values and votes
 * come from the script; the final answer names the state it was written from. Sample k of a prompt
 * is the k-th time the prompt is seen (the n samples of one call come in order).
 */
export function treeReplies(script: TreeScript = {}): (request: ChatRequest) => string {
  const letters = script.letters ?? "ABCDEFGH";
  const seen = new Map<string, number>();
  return (r) => {
    const key = JSON.stringify(r.messages);
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    const steps = stepsOf(r);
    const label = steps.at(-1) ?? "";
    switch (stageOf(r)) {
      case "propose": {
        if (script.silent) return "  ";
        const child = label + letters[k % letters.length]!;
        return script.complete?.includes(child)
          ? `${child} so the result follows.\nFinal answer: ${child}`
          : `${child} is the next step.`;
      }
      case "value": {
        const v = script.values?.[label] ?? "likely";
        return `Checked the steps.\n${Array.isArray(v) ? v[k % v.length]! : v}`;
      }
      case "vote":
        return script.votes?.[k % script.votes.length] ?? "The best choice is 1";
      case "answer":
        return `ANSWER from ${steps.join(">")}`;
      default:
        return "DIRECT answer";
    }
  };
}

/** A scripted model answering with `treeReplies`; it records the most calls in flight at once. */
export function treeLM(script: TreeScript = {}) {
  const reply = treeReplies(script);
  let inFlight = 0;
  const stats = { maxInFlight: 0 };
  const lm = scriptedLM(
    async (r) => {
      inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      if (script.latencyMs) await sleep(script.latencyMs);
      inFlight--;
      return reply(r);
    },
    { capabilities: script.capabilities },
  );
  return Object.assign(lm, { stats });
}
