import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { sdkClientSettings } from "./sdk-client-settings.ts";

// A prefix of its own, so the test never reads or changes a real provider's settings.
const names = ["LMXTEST_BASE_URL", "LMXTEST_API_KEY", "LMXTEST_LOG"];
afterEach(() => names.forEach((n) => delete process.env[n]));
const noKey = "lmxtest: no API key";

test("options win over the environment; the environment is trimmed and empty values count as unset", () => {
  process.env.LMXTEST_BASE_URL = "  http://127.0.0.1:9/v1  ";
  process.env.LMXTEST_API_KEY = "  sk-env  ";
  assert.deepEqual(
    [
      sdkClientSettings({ envPrefix: "LMXTEST", noKey }).baseURL,
      sdkClientSettings({ envPrefix: "LMXTEST", noKey }).apiKey,
    ],
    ["http://127.0.0.1:9/v1", "sk-env"],
  );
  const own = sdkClientSettings({ envPrefix: "LMXTEST", noKey, baseURL: "http://127.0.0.1:8/v1", apiKey: "sk-own" });
  assert.deepEqual([own.baseURL, own.apiKey], ["http://127.0.0.1:8/v1", "sk-own"]);
  process.env.LMXTEST_API_KEY = "   ";
  assert.equal(sdkClientSettings({ envPrefix: "LMXTEST", noKey }).apiKey, "lmx-no-key");
});

test("a base URL without a key gets a placeholder key; neither is a ConfigurationError with the caller's text", () => {
  assert.equal(
    sdkClientSettings({ envPrefix: "LMXTEST", noKey, baseURL: "http://127.0.0.1:9/v1" }).apiKey,
    "lmx-no-key",
  );
  assert.throws(
    () => sdkClientSettings({ envPrefix: "LMXTEST", noKey }),
    (e) => ConfigurationError.isInstance(e) && e.message === noKey,
  );
});

test("the SDK never retries or times out on its own, and logs only when <PREFIX>_LOG is set", () => {
  const quiet = sdkClientSettings({ envPrefix: "LMXTEST", noKey, apiKey: "k" });
  assert.equal(quiet.maxRetries, 0);
  assert.equal(quiet.timeout, 2_147_483_647);
  assert.equal(quiet.logLevel, "off");
  process.env.LMXTEST_LOG = "debug";
  assert.equal(sdkClientSettings({ envPrefix: "LMXTEST", noKey, apiKey: "k" }).logLevel, undefined);
});
