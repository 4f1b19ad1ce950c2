import assert from "node:assert/strict";
import { test } from "node:test";
import { isStoreName, storeLocation, storeName } from "./store-location.ts";

test("a value is a path or a bare name in the state folder; then the environment, the config, the default", () => {
  const state = { XDG_STATE_HOME: "/s" };
  assert.deepEqual(storeLocation({ kind: "index", value: "docs", cwd: "/w", env: state }), {
    path: "/s/lmx/docs.sqlite",
    explicit: true,
  });
  assert.deepEqual(storeLocation({ kind: "memory", value: "team", cwd: "/w", env: state }), {
    path: "/s/lmx/team.memory.sqlite",
    explicit: true,
  });
  assert.equal(storeLocation({ kind: "index", value: "./i.sqlite", cwd: "/w", env: {} }).path, "/w/i.sqlite");
  assert.equal(storeLocation({ kind: "index", value: "sub/i", cwd: "/w", env: {} }).path, "/w/sub/i");
  assert.equal(storeLocation({ kind: "memory", cwd: "/w", env: { LMX_MEMORY: "m/x.sqlite" } }).path, "/w/m/x.sqlite");
  const config = { file: "/etc/lmx/lmx.config.json", index: { path: "idx.sqlite" } };
  assert.deepEqual(storeLocation({ kind: "index", cwd: "/w", env: {}, config }), {
    path: "/etc/lmx/idx.sqlite",
    explicit: true,
  });
  assert.equal(
    storeLocation({ kind: "index", cwd: "/w", env: { LMX_INDEX: "e.sqlite" }, config }).path,
    "/w/e.sqlite",
    "the environment wins over the config",
  );
  assert.deepEqual(storeLocation({ kind: "memory", cwd: "/w", env: state, config }), {
    path: "/s/lmx/memory.sqlite",
    explicit: false,
  });
});

test("storeName: a store's name in a database is its file name without the suffix, for the default, a name and a granted path alike", () => {
  const env = { XDG_STATE_HOME: "/state" };
  const nameOf = (kind: "index" | "memory", value?: string) =>
    storeName(kind, storeLocation({ kind, value, env, cwd: "/work" }).path);
  assert.deepEqual(
    [nameOf("index"), nameOf("memory"), nameOf("index", "docs"), nameOf("memory", "team")],
    ["index", "memory", "docs", "team"],
  );
  assert.deepEqual(
    [
      storeName("index", "/srv/docs.sqlite"),
      storeName("memory", "/srv/team.memory.sqlite"),
      storeName("index", "/srv/kb.db"),
      storeName("index", "/srv/plain"),
    ],
    ["docs", "team", "kb", "plain"],
  );
  assert.deepEqual(
    [isStoreName("docs"), isStoreName("./docs"), isStoreName("docs.sqlite"), isStoreName("..")],
    [true, false, false, false],
  );
});
