export { selfConsistency } from "./self-consistency.ts";
export { adaptiveConsistency } from "./adaptive-consistency.ts";
export { bestOfN, type Candidate, type Verifier } from "./best-of-n.ts";
export { universalSelfConsistency } from "./universal-self-consistency.ts";
export { mixtureOfAgents } from "./mixture-of-agents.ts";
