import type { PriceTable } from "./prices.ts";

/** The price table of a provider whose every model costs nothing (local, recorded, scripted). */
export const FREE: PriceTable = { "*": { input: 0, output: 0 } };
