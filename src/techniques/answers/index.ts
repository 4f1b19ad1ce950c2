export { answerOption, answerTrust, parseAnswerKind, type AnswerKind } from "./answer-kind.ts";
export { extractAnswer } from "./extract-answer.ts";
export { canonicalAnswer } from "./canonical-answer.ts";
export { classifyAnswer, type ConcreteKind } from "./classify-answer.ts";
export { answersOf, choiceAnswer, meanLogprob, vote, voteSummary, type VoteGroup, type VoteResult } from "./vote.ts";
export { canonicalNumber } from "./canonical-number.ts";
export { canonicalChoice } from "./canonical-choice.ts";
export { canonicalDate } from "./canonical-date.ts";
export { canonicalLiteral } from "./canonical-literal.ts";
export { canonicalText } from "./canonical-text.ts";
export { voteCertainty, type VoteCertainty } from "./vote-certainty.ts";
export {
  confidenceVote,
  CONFIDENCE_TOP_LOGPROBS,
  keepOption,
  needsConfidence,
  parseKeep,
  sampleConfidence,
  weightOption,
  type ConfidenceVoteResult,
  type VoteKeep,
  type VoteWeight,
} from "./confidence-vote.ts";
