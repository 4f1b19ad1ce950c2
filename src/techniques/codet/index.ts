export { codet } from "./codet.ts";
