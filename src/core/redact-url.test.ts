import assert from "node:assert/strict";
import { test } from "node:test";
import { redactUrl } from "./redact-url.ts";

test("a database or Redis URL in messages shows no password, whether in the user part or the query string", () => {
  assert.equal(redactUrl("postgres://lmx:hunter2@db:5432/lmx"), "postgres://lmx:***@db:5432/lmx");
  assert.equal(
    redactUrl("postgres://lmx@db/lmx?sslmode=require&password=hunter2&sslpassword=k3y"),
    "postgres://lmx@db/lmx?sslmode=require&password=***&sslpassword=***",
  );
  assert.equal(redactUrl("postgres://lmx@db/lmx?application_name=eu1"), "postgres://lmx@db/lmx?application_name=eu1");
  assert.equal(redactUrl("redis://:s3cret@redis.internal:6379/0"), "redis://:***@redis.internal:6379/0");
  assert.equal(redactUrl("not a url with s3cret"), "(an unparsable URL)");
});
