/** Patterns that look like credentials wherever they appear (SDK errors echo URLs and headers). */
const PATTERNS: RegExp[] = [
  /\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{6,}/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=\-]{6,}/gi,
  /\b(authorization|x-api-key|api-key)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
  /([?&](?:api[_-]?key|key|token|access_token)=)[^&\s"']+/gi,
];

/**
 * Removes anything that looks like a key from text bound for a client or a log: `sk-...` style keys,
 * bearer tokens, Authorization/api-key header values, key query parameters, and the exact `secrets` given.
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  out = out.replace(PATTERNS[0]!, "[redacted]");
  out = out.replace(PATTERNS[1]!, (_m, scheme: string) => `${scheme} [redacted]`);
  out = out.replace(PATTERNS[2]!, (_m, name: string, sep: string) => `${name}${sep}[redacted]`);
  out = out.replace(PATTERNS[3]!, (_m, prefix: string) => `${prefix}[redacted]`);
  return out;
}

/** The keys lmx itself holds: provider and embedder keys, OTLP header values, key-like environment variables. */
export function configSecrets(config: {
  providers?: Record<string, unknown>;
  endpoints?: Record<string, { apiKey?: string; apiKeyEnv?: string }>;
  env: NodeJS.ProcessEnv;
  server?: Record<string, unknown>;
  embeddings?: { apiKey?: string };
  otlp?: { headers?: Record<string, string> };
}): string[] {
  const found = new Set<string>();
  for (const settings of Object.values(config.providers ?? {})) {
    const key = (settings as { apiKey?: unknown } | undefined)?.apiKey;
    if (typeof key === "string") found.add(key);
  }
  for (const endpoint of Object.values(config.endpoints ?? {})) {
    if (endpoint.apiKey) found.add(endpoint.apiKey);
    const fromEnv = endpoint.apiKeyEnv ? config.env[endpoint.apiKeyEnv]?.trim() : undefined;
    if (fromEnv) found.add(fromEnv);
  }
  if (config.embeddings?.apiKey) found.add(config.embeddings.apiKey);
  // OTLP headers carry the collector's credentials (`authorization`, `x-honeycomb-team`...).
  for (const value of Object.values(config.otlp?.headers ?? {}))
    if (value.length >= 8) found.add(value.replace(/^(Bearer|Basic)\s+/i, ""));
  for (const [name, value] of Object.entries(config.env))
    if (value && /(KEY|KEYS|TOKEN|SECRET)$/i.test(name))
      for (const part of value.split(",")) if (part.trim().length >= 8) found.add(part.trim());
  const keys = config.server?.keys;
  if (Array.isArray(keys)) for (const k of keys) if (typeof k === "string") found.add(k);
  return [...found];
}
