export { re2 } from "./re2.ts";
export { rephraseAndRespond } from "./rephrase-and-respond.ts";
export { stepBack } from "./step-back.ts";
