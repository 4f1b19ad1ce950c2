import { prefixedPrices, type PriceTable } from "../accounting/prices.ts";
import { allProviders } from "./all.ts";

/**
 * Known list prices (USD per 1M tokens), keyed `provider:model` (a trailing `*` matches a prefix):
 * each provider's own `prices` from its folder, and the scripted test model's (free). Users override
 * or extend this with `prices` in lmx.config.json, or an endpoint's `prices`.
 */
export const defaultPrices: PriceTable = {
  ...Object.assign({}, ...allProviders.map((p) => prefixedPrices(p.name, p.prices))),
  "scripted:*": { input: 0, output: 0 },
};
