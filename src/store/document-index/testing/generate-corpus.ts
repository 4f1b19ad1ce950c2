import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { seededRandom } from "../../../core/seeded-random.ts";

export interface CorpusFact {
  /** The file holding the fact. */
  path: string;
  /** The sentence stating it (it is in exactly one chunk). */
  sentence: string;
  /** A question about it, worded differently from the sentence. */
  question: string;
  /** Words of the sentence that follows the fact (in the same chunk), for queries that name the topic too. */
  topic: string[];
}

export interface GenerateCorpusOptions {
  /** Folder to write into (created). */
  dir: string;
  documents: number;
  /** Filler paragraphs per document (~350 characters each; default 3). */
  paragraphs?: number;
  seed?: number;
}

const NOUNS = [
  "warranty",
  "capacity",
  "voltage",
  "latency",
  "weight",
  "colour",
  "firmware",
  "owner",
  "location",
  "deadline",
  "budget",
  "priority",
];

/**
 * Writes a deterministic corpus for retrieval tests and benchmarks: Markdown, text, JSONL and
 * TypeScript files of pseudo-word filler, each with one unique fact ("the warranty of unit
 * qx417 is 24 months"). Returns the facts, each with a question whose answer is in one chunk.
 */
export async function generateCorpus(options: GenerateCorpusOptions): Promise<CorpusFact[]> {
  const { dir, documents, paragraphs = 3 } = options;
  const random = seededRandom(options.seed ?? 7);
  const words = vocabulary(random, 8000);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const sentence = (n: number) => {
    const text = Array.from({ length: n }, () => pick(words)).join(" ");
    return text[0]!.toUpperCase() + text.slice(1) + ".";
  };
  const paragraph = () => Array.from({ length: 6 }, () => sentence(6 + Math.floor(random() * 5))).join(" ");

  await mkdir(dir, { recursive: true });
  const facts: CorpusFact[] = [];
  for (let i = 0; i < documents; i++) {
    const unit = `${pick(words).slice(0, 2)}${i}${pick(words).slice(0, 2)}`;
    const noun = pick(NOUNS);
    const value = `${1 + Math.floor(random() * 900)} ${pick(words)}`;
    const fact = `The ${noun} of unit ${unit} is ${value}.`;
    const topic = Array.from({ length: 8 }, () => pick(words));
    const filler = Array.from({ length: paragraphs }, paragraph);
    const at = Math.floor(random() * (filler.length + 1));
    const body = [...filler.slice(0, at), `${fact} ${topic.join(" ")}.`, ...filler.slice(at)];
    const kind = i % 4;
    const title = `${pick(words)} ${pick(words)}`;
    let path: string;
    let text: string;
    if (kind === 0) {
      path = join(dir, `doc-${i}.md`);
      text = `# ${title}\n\n` + body.map((p, k) => (k === 1 ? `## ${pick(words)}\n\n${p}` : p)).join("\n\n") + "\n";
    } else if (kind === 1) {
      path = join(dir, `notes-${i}.txt`);
      text = body.join("\n\n") + "\n";
    } else if (kind === 2) {
      path = join(dir, `records-${i}.jsonl`);
      text = body.map((p, k) => JSON.stringify({ id: `${i}-${k}`, title, text: p })).join("\n") + "\n";
    } else {
      path = join(dir, "src", `module-${i}.ts`);
      text = body
        .map((p, k) => `/** ${p} */\nexport function ${pick(words)}${k}(x: number): number {\n  return x + ${k};\n}\n`)
        .join("\n");
    }
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, text);
    facts.push({ path, sentence: fact, question: `What is the ${noun} of unit ${unit}?`, topic });
  }
  return facts;
}

/** Pronounceable pseudo-words, so BM25 and the hashed test embeddings see a realistic spread of terms. */
function vocabulary(random: () => number, size: number): string[] {
  const onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr", "pl"];
  const vowels = ["a", "e", "i", "o", "u", "ai", "ou"];
  const words = new Set<string>();
  while (words.size < size) {
    const syllables = 2 + Math.floor(random() * 2);
    let w = "";
    for (let s = 0; s < syllables; s++)
      w += onsets[Math.floor(random() * onsets.length)]! + vowels[Math.floor(random() * vowels.length)]!;
    words.add(w);
  }
  return [...words];
}
