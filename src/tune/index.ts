export { tune, type TuneOptions, type TuneProgress, type TuneResult } from "./tune.ts";
export {
  searchSpace,
  techniqueLayers,
  type SearchSpace,
  type SearchSpaceOptions,
  type SpaceCandidate,
  type SpaceDimension,
  type CandidateOrigin,
} from "./search-space.ts";
export { parameterGrid } from "../techniques/tunables/parameter-grid.ts";
export { withReasoningEffort, reasoningEffortOf, parseReasoningEfforts } from "./with-reasoning-effort.ts";
export { parseParam, type ParamRule } from "./parse-param.ts";
export { DEFAULT_CANDIDATES } from "./default-candidates.ts";
export { splitData, type DataSplit } from "./split-data.ts";
export { halvingSchedule } from "./halving-schedule.ts";
export { selectSurvivors, type Standing, type DropReason } from "./select-survivors.ts";
export { bootstrapDemos, type BootstrappedDemos } from "./bootstrap-demos.ts";
export { proposePrompts, type ProposedPrompts } from "./propose-prompts.ts";
export { saveAlias } from "./save-alias.ts";
export { formatTuneTable } from "./format-tune-table.ts";
export type { TuneEntry, TunedBest } from "./tune-leaderboard.ts";
export type { TuneBudget, Compute } from "./tune-budget.ts";
