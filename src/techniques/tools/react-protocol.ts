import { contentText } from "../../core/messages.ts";
import type { Message, ToolDefinition } from "../../core/types.ts";

/** The default tool instructions of the prompted (ReAct) protocol; {tools} lists the tools. */
export const reactPrompt = `You can use tools to answer. The tools are:

{tools}

To use a tool, write exactly these lines and then stop:
Thought: <why you need the tool>
Action: <the tool's name, one of: {tool_names}>
Action Input: <its arguments as one JSON object>

The tool's result will come back as "Observation: <result>". Use tools as often as you need, one at a time. When you know the answer, write:
Thought: I now know the final answer.
Final Answer: <the complete answer to the user>`;

/** `- name: description` and the argument schema of each tool, for the prompt. */
export function describeTools(tools: readonly ToolDefinition[]): string {
  return tools
    .map((t) => {
      const f = t.function;
      const args = f.parameters ? `\n  Arguments (JSON schema): ${JSON.stringify(f.parameters)}` : "";
      return `- ${f.name}: ${f.description ?? "(no description)"}${args}`;
    })
    .join("\n");
}

export type ReactReply =
  | { kind: "final"; answer: string }
  | { kind: "action"; tool: string; input: string; /** The reply up to the end of the action input. */ text: string }
  | { kind: "none" };

const FINAL = /^[ \t*]*Final Answer[ \t*]*:/im;
const ACTION = /^[ \t*]*Action[ \t*]*:[ \t*]*(.*)$/im;
const INPUT = /^[ \t*]*Action Input[ \t*]*:[ \t]*/im;

/**
 * Reads one ReAct reply: an action (`Action:` then `Action Input:`) or a final answer (`Final
 * Answer:`), whichever comes first; `none` when it has neither.
 */
export function parseReactReply(text: string): ReactReply {
  const final = FINAL.exec(text);
  const action = ACTION.exec(text);
  if (action && (!final || action.index < final.index)) {
    const tool = action[1]!.trim().replace(/^[`"'*]+|[`"'*]+$/g, "");
    const rest = text.slice(action.index + action[0].length);
    const input = INPUT.exec(rest);
    let raw = input ? rest.slice(input.index + input[0].length) : "";
    const end = /\n[ \t*]*(Observation|Thought|Final Answer)[ \t*]*:/i.exec(raw);
    if (end) raw = raw.slice(0, end.index);
    const consumed = action.index + action[0].length + (input ? input.index + input[0].length + raw.length : 0);
    return { kind: "action", tool, input: raw.trim(), text: text.slice(0, consumed).trimEnd() };
  }
  if (final) return { kind: "final", answer: text.slice(final.index + final[0].length) };
  return { kind: "none" };
}

/** The text after `Final Answer:` while a reply streams in ("" until the marker, or when an action comes first). */
export function visibleFinalAnswer(text: string): string {
  const reply = parseReactReply(text);
  return reply.kind === "final" ? reply.answer : "";
}

/**
 * The arguments of an action: its JSON object, the first `{...}` in it, or, for a tool with one
 * required string argument, the raw text as that argument. Undefined when none of these works.
 */
export function actionArguments(input: string, tool: ToolDefinition | undefined): string | undefined {
  const unfenced = input.replace(/^```(?:json)?\s*|\s*```$/g, "").trim();
  for (const candidate of [unfenced, firstObject(unfenced)]) {
    if (!candidate) continue;
    try {
      const value = JSON.parse(candidate);
      if (value && typeof value === "object" && !Array.isArray(value)) return JSON.stringify(value);
    } catch {}
  }
  const params = tool?.function.parameters as
    { properties?: Record<string, { type?: string }>; required?: string[] } | undefined;
  const keys = Object.keys(params?.properties ?? {});
  const only = params?.required?.length === 1 ? params.required[0]! : keys.length === 1 ? keys[0]! : undefined;
  if (only && params?.properties?.[only]?.type === "string" && unfenced)
    return JSON.stringify({ [only]: unfenced.replace(/^["']|["']$/g, "") });
  return undefined;
}

function firstObject(text: string): string | undefined {
  const start = text.indexOf("{");
  if (start < 0) return undefined;
  let depth = 0;
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/**
 * A conversation for a model without native tool calling: the tool instructions joined to the
 * system prompt, earlier tool calls written as Action lines and tool results as Observations.
 */
export function promptedMessages(messages: readonly Message[], instructions: string): Message[] {
  const out: Message[] = [];
  for (const m of messages) {
    if (m.role === "assistant" && m.tool_calls?.length) {
      const text = contentText(m.content);
      const actions = m.tool_calls
        .map((c) => `Action: ${c.function.name}\nAction Input: ${c.function.arguments || "{}"}`)
        .join("\n");
      out.push({ role: "assistant", content: text ? `${text}\n${actions}` : actions });
    } else if (m.role === "tool") {
      const observation = `Observation: ${contentText(m.content)}`;
      const previous = out.at(-1);
      if (
        previous?.role === "user" &&
        typeof previous.content === "string" &&
        previous.content.startsWith("Observation:")
      )
        previous.content += `\n${observation}`;
      else out.push({ role: "user", content: observation });
    } else out.push({ ...m });
  }
  const first = out[0];
  if (first && (first.role === "system" || first.role === "developer"))
    out[0] = { ...first, content: `${contentText(first.content)}\n\n${instructions}` };
  else out.unshift({ role: "system", content: instructions });
  return out;
}
