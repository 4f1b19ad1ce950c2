import { GrantedMcpServers } from "../../tools/mcp/granted-mcp-servers.ts";
import type { McpServerConfig } from "../../tools/mcp/mcp-server-config.ts";
import type { TechniqueInfo } from "../registry.ts";
import { HostResourceError } from "./host-resource-error.ts";
import type { GrantKind } from "./option-trust.ts";
import type { SpecValue } from "./spec-ast.ts";
import type { ParameterInfo } from "./technique-parameters.ts";

/**
 * Host resources the operator lets clients use by name (from lmx.config.json): name → file path for
 * indexes, memory stores and demo sets, name → server settings for MCP servers.
 */
export interface OptionGrants {
  indexes?: Record<string, string>;
  memoryStores?: Record<string, string>;
  demoSets?: Record<string, string>;
  mcpServers?: Record<string, McpServerConfig>;
}

/**
 * What an untrusted request may pass to one technique: its options as written → the options to build
 * it with (granted names replaced by what they stand for). Throws a HostResourceError whose
 * `param` is the option at fault; nothing has been opened or started when it does.
 */
export type OptionPolicy = (call: {
  technique: TechniqueInfo;
  options: Record<string, SpecValue>;
}) => Record<string, unknown>;

/** The policy of `lmx serve`: client values and models pass; host resources only as granted names. */
export function clientOptionPolicy(grants: OptionGrants): OptionPolicy {
  return ({ technique, options }) => {
    const out: Record<string, unknown> = { ...options };
    // Options only the operator may set are named first: they are what the request must drop.
    const ordered = [...technique.parameters].sort(
      (a, b) => Number(a.trust?.grant !== undefined) - Number(b.trust?.grant !== undefined),
    );
    for (const param of ordered) {
      if (!Object.hasOwn(options, param.name)) {
        const { grant, unsetIsHost } = param.trust ?? {};
        if (unsetIsHost && grant && grant !== "tools")
          out[param.name] = grantedPath(technique.name, param, DEFAULT_GRANT, grant, grants);
        continue;
      }
      const trust = param.trust;
      // An option without a class is treated as a host resource: the safe side.
      if (trust?.class === "client" || trust?.class === "model") continue;
      const value = options[param.name]!;
      if (trust?.clientMay?.(value)) continue;
      if (trust?.lowerOnly && lowered(value, param)) continue;
      if (trust?.grant === "tools") Object.assign(out, grantedTools(technique.name, param, value, grants));
      else if (trust?.grant) out[param.name] = grantedPath(technique.name, param, value, trust.grant, grants);
      else
        throw refused(
          technique.name,
          param,
          trust?.lowerOnly ? `a request may only lower it (at most ${String(param.default)})` : undefined,
        );
    }
    return out;
  };
}

function lowered(value: SpecValue, param: ParameterInfo): boolean {
  return typeof value === "number" && typeof param.default === "number" && value <= param.default;
}

/** The grant a request gets when it names none where the host has a default (`retrieve` without `index`). */
const DEFAULT_GRANT = "default";

const GRANT_WORDS: Record<Exclude<GrantKind, "tools">, string> = {
  indexes: "index",
  memoryStores: "memory store",
  demoSets: "demo set",
};

function grantedPath(
  technique: string,
  param: ParameterInfo,
  value: SpecValue,
  kind: Exclude<GrantKind, "tools">,
  grants: OptionGrants,
): string {
  const granted = grants[kind] ?? {};
  if (typeof value === "string" && Object.hasOwn(granted, value)) return granted[value]!;
  throw refused(technique, param, `name a ${GRANT_WORDS[kind]} the operator granted (${namesOf(granted)})`);
}

/** `tools=[...]`: built-ins as they are; `index:NAME`, `memory:NAME`, `mcp:NAME` only when granted. */
function grantedTools(
  technique: string,
  param: ParameterInfo,
  value: SpecValue,
  grants: OptionGrants,
): Record<string, unknown> {
  const list = Array.isArray(value) ? value : [value];
  const tools: string[] = [];
  const mcp: Record<string, McpServerConfig> = {};
  for (const item of list) {
    if (typeof item !== "string") throw refused(technique, param, "tools are named by strings");
    const [kind, name] = item.includes(":")
      ? [item.slice(0, item.indexOf(":")), item.slice(item.indexOf(":") + 1)]
      : [item, undefined];
    // A bare `index` or `memory` tool is the host's default store: only as the grant named `default`.
    if ((kind === "index" || kind === "memory") && name === undefined) {
      const granted = kind === "index" ? grants.indexes : grants.memoryStores;
      if (granted && Object.hasOwn(granted, DEFAULT_GRANT)) tools.push(`${kind}:${granted[DEFAULT_GRANT]}`);
      else
        throw refused(
          technique,
          param,
          `"${kind}" uses the host's default store: name a granted one as ${kind}:NAME (${namesOf(granted)})`,
        );
    } else if (name === undefined || kind === "sandbox") tools.push(item);
    else if (kind === "index" && grants.indexes && Object.hasOwn(grants.indexes, name))
      tools.push(`index:${grants.indexes[name]}`);
    else if (kind === "memory" && grants.memoryStores && Object.hasOwn(grants.memoryStores, name))
      tools.push(`memory:${grants.memoryStores[name]}`);
    else if (kind === "mcp" && grants.mcpServers && Object.hasOwn(grants.mcpServers, name)) {
      tools.push(item);
      mcp[name] = grants.mcpServers[name]!;
    } else
      throw refused(
        technique,
        param,
        `"${item}" is not granted: name an index (${namesOf(grants.indexes)}), memory store (${namesOf(grants.memoryStores)}) or MCP server (${namesOf(grants.mcpServers)}) the operator configured`,
      );
  }
  // The granted servers' settings come from the operator, never from the request.
  return Object.keys(mcp).length
    ? { [param.name]: tools, mcp_servers: new GrantedMcpServers(mcp) }
    : { [param.name]: tools };
}

function namesOf(granted: Record<string, unknown> | undefined): string {
  const names = Object.keys(granted ?? {});
  return names.length ? `granted: ${names.join(", ")}` : "none are granted";
}

function refused(technique: string, param: ParameterInfo, hint?: string): HostResourceError {
  return new HostResourceError(
    `${technique}: ${param.name} names a host resource, which only the server's operator may set${hint ? `; ${hint}` : ""}`,
    { param: param.name },
  );
}
