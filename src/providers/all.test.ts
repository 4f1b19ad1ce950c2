import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "../config/config-schema.ts";
import { allProviders } from "./all.ts";
import { defaultPrices } from "./default-prices.ts";
import { providerRegistry } from "./provider-registry.ts";

test("the registry, the config's providers section and the default prices all come from the one list", () => {
  assert.deepEqual(
    providerRegistry.map((p) => p.name),
    allProviders.map((p) => p.name),
  );
  for (const p of allProviders) {
    const parsed = configSchema.safeParse({ providers: { [p.name]: { concurrency: 2 } } });
    assert.ok(parsed.success, `providers.${p.name} is a config section`);
    // Each section is its provider's own strict schema.
    assert.equal(configSchema.safeParse({ providers: { [p.name]: { bogus: 1 } } }).success, false, p.name);
    for (const key of Object.keys(p.prices ?? {})) assert.ok(defaultPrices[`${p.name}:${key}`], `${p.name}:${key}`);
  }
  assert.equal(configSchema.safeParse({ providers: { nowhere: {} } }).success, false, "no section without a provider");
  assert.equal(configSchema.safeParse({ providers: { llama: { contextSize: 10 } } }).success, false);
});

test("names are unique and each definition's settings accept an empty object", () => {
  assert.equal(new Set(allProviders.map((p) => p.name)).size, allProviders.length);
  for (const p of allProviders) assert.ok(p.settings.safeParse({}).success, p.name);
});
