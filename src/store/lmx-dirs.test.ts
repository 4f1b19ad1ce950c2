import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultResultsPath, lmxDirs } from "./lmx-dirs.ts";

test("state and cache folders follow XDG, else ~/.local/state/lmx and ~/.cache/lmx; relative XDG values are ignored", () => {
  assert.deepEqual(lmxDirs({ env: {}, home: "/home/u" }), {
    state: "/home/u/.local/state/lmx",
    cache: "/home/u/.cache/lmx",
  });
  assert.deepEqual(lmxDirs({ env: { XDG_STATE_HOME: "/st", XDG_CACHE_HOME: "/ca/" }, home: "/home/u" }), {
    state: "/st/lmx",
    cache: "/ca/lmx",
  });
  assert.deepEqual(lmxDirs({ env: { XDG_STATE_HOME: "rel", XDG_CACHE_HOME: "" }, home: "/home/u" }), {
    state: "/home/u/.local/state/lmx",
    cache: "/home/u/.cache/lmx",
  });
  assert.equal(defaultResultsPath({ env: { XDG_STATE_HOME: "/st" } }), "/st/lmx/eval.sqlite");
});
