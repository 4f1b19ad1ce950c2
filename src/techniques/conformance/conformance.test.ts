import { describe, test } from "node:test";
import { allTechniques } from "../all.ts";
import { conformanceChecks } from "./conformance-checks.ts";
import { fixtureTechniques } from "./fixture-techniques.ts";

/**
 * Every registered technique, with default options, passes every conformance check (completes,
 * accounts usage, traces completely, respects budgets, honours aborts, streams, answers n). Until
 * techniques are registered the suite runs over its own fixtures, so it is never empty.
 */
const factories = allTechniques.length > 0 ? allTechniques : fixtureTechniques;

for (const factory of factories) {
  describe(`technique ${factory.definition.name}`, () => {
    for (const check of conformanceChecks) test(check.name, { timeout: 20_000 }, () => check.run(factory));
  });
}
