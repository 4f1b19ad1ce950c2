import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { HttpError } from "./http-error.ts";

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms, and the name `localhost`. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase().replace(/^\[|\]$/g, "");
  if (a === "localhost" || a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Refuses to listen beyond this machine with nobody required to show a key. */
export function assertSafeBinding(options: { host: string; keys?: readonly string[] }): void {
  if (!options.keys?.length && !isLoopback(options.host))
    throw new ConfigurationError(
      `refusing to listen on ${options.host} without keys: anyone who can reach it could spend your upstream credits. ` +
        "Set server.keys in lmx.config.json or LMX_SERVER_KEYS, or listen on 127.0.0.1",
    );
}

/** Who a request comes from: a tenant (one per key) whose traces it may read, or the operator (all). */
export interface Caller {
  /** A short digest of the key (never the key); undefined without keys. */
  tenant?: string;
  /** May read every trace: an operator key, or any local client when no keys are configured. */
  operator: boolean;
}

/**
 * Who may call: with keys configured, a request must bear one (`Authorization: Bearer KEY`, or
 * `x-api-key: KEY` as Anthropic clients send it);
 * without keys, only clients on this machine. Throws a 401 HttpError otherwise.
 */
export function accessChecker(options: {
  keys?: readonly string[];
  operatorKeys?: readonly string[];
}): (request: { authorization?: string; apiKey?: string; remoteAddress?: string }) => Caller {
  const digests = (options.keys ?? []).map(digest);
  const operators = (options.operatorKeys ?? []).map(digest);
  if (digests.length === 0 && operators.length === 0)
    return ({ remoteAddress }) => {
      if (!isLoopback(remoteAddress))
        throw new HttpError({
          status: 401,
          type: "invalid_request_error",
          code: "invalid_api_key",
          message: "this server accepts only local clients (no keys are configured)",
        });
      return { operator: true };
    };
  return ({ authorization, apiKey }) => {
    const key = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "")?.[1]?.trim() || apiKey?.trim();
    // Not "Authorization: Bearer <key>": the secret scrubber would rightly mangle that phrase.
    if (!key)
      throw new HttpError({
        status: 401,
        type: "invalid_request_error",
        code: "missing_api_key",
        message: "missing key: send your key as a bearer token in the Authorization header or in the x-api-key header",
      });
    const given = digest(key);
    // Compare digests in constant time so the answer time says nothing about the key.
    const isKey = digests.some((d) => timingSafeEqual(d, given));
    const isOperator = operators.some((d) => timingSafeEqual(d, given));
    if (!isKey && !isOperator)
      throw new HttpError({
        status: 401,
        type: "invalid_request_error",
        code: "invalid_api_key",
        message: "invalid key",
      });
    return { tenant: given.subarray(0, 8).toString("hex"), operator: isOperator };
  };
}

function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}
