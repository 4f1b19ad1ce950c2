import type { PriceTable } from "../../accounting/prices.ts";
import type { Capabilities, ChatRequest, LM } from "../../core/types.ts";
import type { ReportedUsage } from "../../testing/openai-test-server.ts";
import type { TestServerFaults } from "../../testing/test-server-kit.ts";

/** What the model says next, in a form every harness can put on its own wire. */
export interface HarnessReply {
  content?: string;
  tool?: { name: string; arguments: Record<string, unknown> };
}

/** Per-LM settings a check may need (a short timeout, no retries). */
export interface HarnessLMOptions {
  timeoutMs?: number;
  retries?: number;
}

/** One running provider under test: its LM factory and, for a real server, its faults and records. */
export interface HarnessRun {
  /** The next replies (ignored where the model is not scriptable: llama). */
  reply: (request: ChatRequest) => HarnessReply;
  make(options?: HarnessLMOptions): Promise<LM>;
  /** The prices the LMs were made with. */
  prices: PriceTable;
  /** The server's switchable faults (abort, timeout, retry and error checks), when there is a server. */
  behaviour?: TestServerFaults;
  /** Requests the server has received so far. */
  requests?(): number;
  /** Usage the server reported, answer by answer. */
  reported?(): ReportedUsage[];
  close(): Promise<void>;
}

/** A provider as the conformance suite runs it. */
export interface ProviderHarness {
  name: string;
  /** What the provider claims: checks of a capability run where it is claimed. */
  capabilities: Capabilities;
  /** Whether replies can be chosen (tools, response_format and exact-text checks need that). */
  scriptable: boolean;
  start(): Promise<HarnessRun>;
}
