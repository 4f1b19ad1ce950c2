/** Programs that pass the same set of tests, with CodeT's dual-agreement score. */
export interface AgreementGroup {
  /** Sample indices of the programs in the group, in sample order (duplicates count). */
  programs: number[];
  /** Indices of the distinct tests every program of the group passes. */
  passed: number[];
  /** programs.length × passed.length. */
  score: number;
}

/**
 * Groups programs by the set of tests they pass and ranks the groups by dual agreement (Chen et
 * al. 2022): the number of programs in the group times the number of tests it passes. Ties go to
 * the bigger group, then to the group whose first program came first. `passes[i]` is the pass
 * list of sample i's program.
 */
export function dualAgreement(passes: { sample: number; passed: boolean[] }[]): AgreementGroup[] {
  const groups = new Map<string, AgreementGroup>();
  for (const { sample, passed } of passes) {
    const key = passed.map((p) => (p ? "1" : "0")).join("");
    let group = groups.get(key);
    if (!group) {
      const ids = passed.flatMap((p, j) => (p ? [j] : []));
      group = { programs: [], passed: ids, score: 0 };
      groups.set(key, group);
    }
    group.programs.push(sample);
  }
  const ranked = [...groups.values()].map((g) => ({ ...g, programs: g.programs.sort((a, b) => a - b) }));
  for (const g of ranked) g.score = g.programs.length * g.passed.length;
  return ranked.sort(
    (a, b) => b.score - a.score || b.programs.length - a.programs.length || a.programs[0]! - b.programs[0]!,
  );
}
