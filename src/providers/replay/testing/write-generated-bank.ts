import { writeFileSync } from "node:fs";

export interface GeneratedRecord {
  id: string;
  question: string;
  answer: string;
  samples: string[];
}

/**
 * Writes a `*.bank.jsonl` sample bank shaped like the recorded ones in ../shared/replay, for tests that
 * must run without them: question i asks for i + 7; of its `samples` answers about 60% are right and
 * each wrong one differs, so a majority vote is right more often than one sample. Deterministic.
 */
export function writeGeneratedBank(
  path: string,
  options: { questions?: number; samples?: number } = {},
): GeneratedRecord[] {
  const { questions = 60, samples = 10 } = options;
  const records: GeneratedRecord[] = [];
  for (let i = 0; i < questions; i++) {
    const answer = String(i + 7);
    const texts = Array.from({ length: samples }, (_, j) => ((i * 7 + j * 3) % 10 < 6 ? answer : String(i + 8 + j)));
    records.push({
      id: `gen_${i}`,
      question: `What is ${i} + 7? Answer with the number only.`,
      answer,
      samples: texts,
    });
  }
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return records;
}
