import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultRegistry } from "../registry.ts";
import { clientOptionPolicy } from "./client-option-policy.ts";
import { HostResourceError } from "./host-resource-error.ts";

const registry = defaultRegistry();
const policy = clientOptionPolicy({
  indexes: { default: "/srv/lmx/docs.sqlite", team: "/srv/lmx/team.sqlite" },
  memoryStores: { default: "/srv/lmx/lessons.sqlite" },
});

test("an unset store option and the bare index/memory tools take the grant named default", () => {
  assert.deepEqual(policy({ technique: registry.info("retrieve"), options: {} }), { index: "/srv/lmx/docs.sqlite" });
  assert.deepEqual(policy({ technique: registry.info("retrieve"), options: { index: "team" } }), {
    index: "/srv/lmx/team.sqlite",
  });
  assert.deepEqual(policy({ technique: registry.info("memory"), options: { k: 2 } }), {
    k: 2,
    store: "/srv/lmx/lessons.sqlite",
  });
  assert.deepEqual(
    policy({ technique: registry.info("tools"), options: { tools: ["index", "memory", "calculator"] } }),
    {
      tools: ["index:/srv/lmx/docs.sqlite", "memory:/srv/lmx/lessons.sqlite", "calculator"],
    },
  );
});

test("without a default grant, leaving a store unset is refused naming the option", () => {
  const strict = clientOptionPolicy({ indexes: { team: "/srv/lmx/team.sqlite" } });
  assert.throws(
    () => strict({ technique: registry.info("retrieve"), options: {} }),
    (e) => HostResourceError.isInstance(e) && e.param === "index" && /granted: team/.test(e.message),
  );
  assert.throws(
    () => strict({ technique: registry.info("tools"), options: { tools: ["index"] } }),
    (e) => HostResourceError.isInstance(e) && e.param === "tools",
  );
});

test("a regex answer kind is the operator's; the named kinds are a client's", () => {
  const info = registry.info("self-consistency");
  assert.deepEqual(policy({ technique: info, options: { answer: "number" } }), { answer: "number" });
  assert.throws(
    () => policy({ technique: info, options: { answer: "regex:^(.|.)*Z" } }),
    (e) => HostResourceError.isInstance(e) && e.param === "answer",
  );
});
