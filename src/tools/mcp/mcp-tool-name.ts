/**
 * The function name a model sees for tool `tool` of server `server`: `server__tool`, cut to what
 * OpenAI accepts (letters, digits, `_` and `-`, at most 64 characters).
 */
export function mcpToolName({ server, tool }: { server: string; tool: string }): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "_");
  return `${clean(server)}__${clean(tool)}`.slice(0, 64);
}
