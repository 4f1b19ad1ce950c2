export { fewShot } from "./few-shot.ts";
export { loadDemos, type Demo } from "./load-demos.ts";
export { withDemos } from "./with-demos.ts";
export { reasoningEffort, REASONING_EFFORTS } from "./reasoning-effort.ts";
