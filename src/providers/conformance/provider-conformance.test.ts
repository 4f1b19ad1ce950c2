import { after, before, describe, test } from "node:test";
import type { HarnessRun } from "./provider-harness.ts";
import {
  anthropicHarness,
  endpointHarness,
  llamaHarness,
  openaiHarness,
  scriptedHarness,
} from "./provider-harnesses.ts";
import { providerChecks } from "./provider-checks.ts";

/**
 * Every provider passes every check that applies to it (usage, n, stream equals complete, abort,
 * timeout, retry with Retry-After, error mapping, tools, response_format, logprobs), each against its
 * real wire: the OpenAI and Anthropic test servers, a named endpoint, llama.cpp over a tiny GGUF.
 */
for (const harness of [openaiHarness, anthropicHarness, endpointHarness, scriptedHarness, llamaHarness]) {
  describe(`provider ${harness.name}`, () => {
    let run: HarnessRun;
    let reply: HarnessRun["reply"];
    before(async () => {
      run = await harness.start();
      reply = run.reply;
    });
    after(() => run.close());
    for (const check of providerChecks)
      test(check.name, { timeout: 30_000 }, async (t) => {
        if (!check.applies(harness, run)) return t.skip("does not apply");
        run.reply = reply;
        await check.run(harness, run);
      });
  });
}
