import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { accessChecker, assertSafeBinding, isLoopback } from "./access.ts";
import { HttpError } from "./http-error.ts";

test("loopback addresses are recognised in every form, others are not", () => {
  for (const a of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "[::1]", "localhost"])
    assert.ok(isLoopback(a), a);
  for (const a of ["0.0.0.0", "10.0.0.1", "::ffff:10.0.0.1", "::", "128.0.0.1", "", undefined])
    assert.ok(!isLoopback(a), String(a));
});

test("without keys only local clients pass, and binding beyond loopback is refused", () => {
  const check = accessChecker({});
  check({ remoteAddress: "::ffff:127.0.0.1" });
  assert.throws(
    () => check({ remoteAddress: "192.168.1.5", authorization: "Bearer anything" }),
    (e) => HttpError.isInstance(e) && e.status === 401,
  );
  assert.throws(
    () => assertSafeBinding({ host: "0.0.0.0" }),
    (e) => ConfigurationError.isInstance(e),
  );
  assertSafeBinding({ host: "0.0.0.0", keys: ["a-long-key-1"] });
  assertSafeBinding({ host: "127.0.0.1" });
});

test("with keys, the bearer key decides, wherever the client is", () => {
  const check = accessChecker({ keys: ["key-number-one", "key-number-two"] });
  check({ authorization: "Bearer key-number-two", remoteAddress: "10.1.2.3" });
  check({ authorization: "bearer key-number-one" });
  const code = (authorization?: string) => {
    try {
      check({ authorization, remoteAddress: "127.0.0.1" });
    } catch (e) {
      return HttpError.isInstance(e) ? `${e.status} ${e.code}` : "other";
    }
    return "passed";
  };
  assert.equal(code(undefined), "401 missing_api_key");
  assert.equal(code("Basic key-number-one"), "401 missing_api_key");
  assert.equal(code("Bearer key-number-three"), "401 invalid_api_key");
});
