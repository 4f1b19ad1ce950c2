/**
 * Test helper process: adds lessons to the memory store at argv[2] in an endless loop and prints
 * "committed <id> <n>" after each commit, until it is killed. The crash test SIGKILLs it mid-write.
 */
import { MemoryStore } from "../memory-store.ts";

const store = MemoryStore.open({ path: process.argv[2]! });
const filler = "Check units before comparing quantities; convert everything to one unit first. ".repeat(20);
for (let n = 0; ; n++) {
  const lesson = await store.add({
    text: `Lesson ${n}: ${filler}`,
    question: `question ${n}`,
    tags: ["crash-test", `n${n % 7}`],
    source: "test",
  });
  // A bigger transaction too, so the kill often lands inside one.
  store.markUsed(Array.from({ length: 50 }, (_, i) => Math.max(1, lesson.id - i)));
  process.stdout.write(`committed ${lesson.id} ${n}\n`);
}
