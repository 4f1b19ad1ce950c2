import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createRunContext } from "../core/context.ts";
import { contentText, resultText } from "../core/messages.ts";
import type { ChatRequest, ToolCall } from "../core/types.ts";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { DocumentIndex } from "../store/document-index/document-index.ts";
import { MemoryStore } from "../store/memory/memory-store.ts";
import { tools } from "../techniques/tools/tools.ts";
import { indexSearchTool } from "./index-search-tool.ts";
import { memoryTools } from "./memory-tools.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-store-tools-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const call = (id: string, name: string, args: unknown): ToolCall => ({
  id,
  type: "function",
  function: { name, arguments: JSON.stringify(args) },
});

test("index: the model searches the user's document index through the tool loop and reads the passages", async () => {
  const docs = join(dir, "docs");
  mkdirSync(docs, { recursive: true });
  writeFileSync(
    join(docs, "billing.md"),
    "# Billing\n\nInvoices are kept for seven years.\n\n## Refunds\n\nRefunds take five working days.",
  );
  writeFileSync(join(docs, "cafeteria.txt"), "The cafeteria opens at nine and closes at three.");
  const path = join(dir, "docs.sqlite");
  const index = DocumentIndex.open({ path });
  await index.add([docs]);
  index.close();
  const lm = scriptedLM((request) => {
    const results = request.messages.filter((m) => m.role === "tool");
    if (results.length === 0)
      return { tool_calls: [call("s", "search_documents", { query: "how long do refunds take", k: 2 })] };
    return `Found: ${contentText(results[0]!.content)}`;
  });
  const ctx = createRunContext();
  const result = await tools(lm, { tools: [`index:${path}`] }).complete(
    { messages: [{ role: "user", content: "How long do refunds take?" }] },
    ctx,
  );
  const text = resultText(result);
  assert.match(
    text,
    /^Found: \[1\] .*billing\.md:5-7 \(Billing > Refunds\)\n## Refunds\n\nRefunds take five working days\./,
  );
  assert.deepEqual(
    lm.calls[0]!.tools!.map((t) => t.function.name),
    ["search_documents"],
  );
  const span = ctx.span.children[0]!.children.find((s) => s.kind === "tool")!;
  assert.equal(span.name, "search_documents");
  assert.equal(span.status, "ok");
});

test("index: a missing index is an error the model reads", async () => {
  const tool = indexSearchTool({ index: join(dir, "nope.sqlite") });
  await assert.rejects(
    Promise.resolve(tool.execute({ query: "x" }, createRunContext())),
    /no document index at .*nope\.sqlite: build it with `lmx index add/,
  );
});

test("memory: the model stores a lesson and finds it again in the real store", async () => {
  const path = join(dir, "lessons.memory.sqlite");
  const [search, add] = memoryTools({ store: path });
  const ctx = createRunContext();
  assert.equal(
    await add!.execute({ text: "Convert units before comparing quantities.", tags: ["units"] }, ctx),
    "Stored lesson 1.",
  );
  assert.equal(
    await search!.execute({ query: "comparing quantities in different units" }, ctx),
    "1. Convert units before comparing quantities.",
  );
  assert.equal(await search!.execute({ query: "photosynthesis" }, ctx), "No lessons match.");
  const store = MemoryStore.open({ path, mustExist: true });
  const [lesson] = store.list();
  store.close();
  assert.deepEqual(
    { text: lesson!.text, tags: lesson!.tags, source: lesson!.source, uses: lesson!.uses },
    { text: "Convert units before comparing quantities.", tags: ["units"], source: "tool", uses: 1 },
  );
});

test("memory through the loop: both memory tools are offered", async () => {
  const path = join(dir, "loop.memory.sqlite");
  const lm = scriptedLM((request: ChatRequest) => {
    const results = request.messages.filter((m) => m.role === "tool");
    if (results.length === 0) return { tool_calls: [call("a", "memory_add", { text: "Check the year of a date." })] };
    if (results.length === 1) return { tool_calls: [call("b", "memory_search", { query: "date year" })] };
    return contentText(results[1]!.content);
  });
  const result = await tools(lm, { tools: [`memory:${path}`] }).complete({
    messages: [{ role: "user", content: "Learn something." }],
  });
  assert.deepEqual(
    lm.calls[0]!.tools!.map((t) => t.function.name),
    ["memory_search", "memory_add"],
  );
  assert.equal(resultText(result), "1. Check the year of a date.");
});
