import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { hfFileUrl, parseHfUri } from "./hf-uri.ts";

test("hf: URIs name a repository file, possibly in sub-folders", () => {
  const ref = parseHfUri("hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");
  assert.deepEqual(ref, {
    owner: "Qwen",
    repo: "Qwen2.5-0.5B-Instruct-GGUF",
    file: "qwen2.5-0.5b-instruct-q4_k_m.gguf",
  });
  assert.equal(
    hfFileUrl(ref, "https://huggingface.co"),
    "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf",
  );
  const nested = parseHfUri("hf:owner/repo/sub/dir/file.gguf");
  assert.equal(nested.file, "sub/dir/file.gguf");
  assert.equal(
    hfFileUrl(nested, "http://127.0.0.1:9/"),
    "http://127.0.0.1:9/owner/repo/resolve/main/sub/dir/file.gguf",
  );
});

test("malformed hf: URIs are ConfigurationErrors", () => {
  for (const bad of ["hf:owner/repo", "hf:owner//file.gguf", "hf:owner/repo/../x.gguf"])
    assert.throws(
      () => parseHfUri(bad),
      (e) => ConfigurationError.isInstance(e) && e.message.includes(bad),
    );
});
