/** Test support for lmx's own tests and for users testing code built on lmx. */
export { scriptedLM, type Script, type ScriptedReply } from "../providers/scripted/scripted-lm.ts";
export {
  startOpenAITestServer,
  type OpenAITestServer,
  type OpenAITestBehaviour,
  type OpenAITestReply,
  type OpenAIReply,
  type ReportedUsage,
} from "./openai-test-server.ts";
export {
  startAnthropicTestServer,
  type AnthropicTestServer,
  type AnthropicTestBehaviour,
  type AnthropicTestReply,
  type AnthropicReply,
} from "./anthropic-test-server.ts";
export { hashedEmbedding } from "./hashed-embedding.ts";
export type { RecordedRequest, TestServerFaults } from "./test-server-kit.ts";
export { startHostileUpstream, type HostileUpstream, type HostileBehaviour } from "./hostile-upstream.ts";
