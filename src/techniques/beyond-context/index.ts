export { retrieve } from "./retrieve.ts";
export { memory, type MemoryLM, type MemoryOptions, type MemoryVerdict, type MemoryVerifier } from "./memory.ts";
export { feedback, type MemoryFeedback } from "./memory-feedback.ts";
