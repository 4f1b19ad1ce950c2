import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { sdkClientSettings } from "./sdk-client-settings.ts";

// The environment is an argument: nothing here reads or changes process.env.
const noKey = "lmxtest: no API key";
const base = { envPrefix: "LMXTEST", noKey };

test("options win over the environment; the environment is trimmed and empty values count as unset", () => {
  const env = { LMXTEST_BASE_URL: "  http://127.0.0.1:9/v1  ", LMXTEST_API_KEY: "  sk-env  " };
  const fromEnv = sdkClientSettings({ ...base, env });
  assert.deepEqual([fromEnv.baseURL, fromEnv.apiKey], ["http://127.0.0.1:9/v1", "sk-env"]);
  const own = sdkClientSettings({ ...base, env, baseURL: "http://127.0.0.1:8/v1", apiKey: "sk-own" });
  assert.deepEqual([own.baseURL, own.apiKey], ["http://127.0.0.1:8/v1", "sk-own"]);
  assert.equal(sdkClientSettings({ ...base, env: { ...env, LMXTEST_API_KEY: "   " } }).apiKey, "lmx-no-key");
});

test("a base URL without a key gets a placeholder key; neither is a ConfigurationError with the caller's text", () => {
  assert.equal(sdkClientSettings({ ...base, env: {}, baseURL: "http://127.0.0.1:9/v1" }).apiKey, "lmx-no-key");
  assert.throws(
    () => sdkClientSettings({ ...base, env: {} }),
    (e) => ConfigurationError.isInstance(e) && e.message === noKey,
  );
});

test("the SDK never retries or times out on its own, and logs only when <PREFIX>_LOG is set", () => {
  const quiet = sdkClientSettings({ ...base, env: {}, apiKey: "k" });
  assert.equal(quiet.maxRetries, 0);
  assert.equal(quiet.timeout, 2_147_483_647);
  assert.equal(quiet.logLevel, "off");
  assert.equal(sdkClientSettings({ ...base, env: { LMXTEST_LOG: "debug" }, apiKey: "k" }).logLevel, undefined);
});

test("the process's environment is not read when the caller gives one", () => {
  process.env.LMXTEST_API_KEY = "sk-process";
  try {
    assert.throws(() => sdkClientSettings({ ...base, env: {} }), ConfigurationError);
  } finally {
    delete process.env.LMXTEST_API_KEY;
  }
});
