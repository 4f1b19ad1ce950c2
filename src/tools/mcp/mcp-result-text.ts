/** A content block of an MCP tool result (the parts lmx reads). */
interface ContentBlock {
  type: string;
  text?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  resource?: { uri?: string; text?: string; mimeType?: string };
}

/**
 * An MCP tool result as text for a model: text blocks as they are, embedded text resources by
 * content, other media as a short placeholder; structured content as JSON when there is no text.
 */
export function mcpResultText(result: {
  content?: unknown;
  structuredContent?: unknown;
  toolResult?: unknown;
}): string {
  const blocks = Array.isArray(result.content) ? (result.content as ContentBlock[]) : [];
  const parts = blocks.map((b) => {
    if (b.type === "text") return b.text ?? "";
    if (b.type === "resource") return b.resource?.text ?? `[resource ${b.resource?.uri ?? ""}]`;
    if (b.type === "resource_link") return `[resource link ${b.name ?? ""} ${b.uri ?? ""}]`.replace(/\s+]/, "]");
    return `[${b.type}${b.mimeType ? ` ${b.mimeType}` : ""}]`;
  });
  const text = parts.filter(Boolean).join("\n");
  if (text) return text;
  if (result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  if (result.toolResult !== undefined)
    return typeof result.toolResult === "string" ? result.toolResult : JSON.stringify(result.toolResult);
  return "";
}
