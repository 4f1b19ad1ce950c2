/**
 * One option the tuner may search: its name alone (values from its schema: parameterGrid), its own
 * values, or a range within its schema's (the grid is then drawn from that range).
 */
export type KnobDeclaration =
  string | { option: string; values: readonly unknown[] } | { option: string; range: { min: number; max: number } };

/**
 * What a technique lets the tuner change, declared next to its options (as ax's `optimizable`
 * components). The tuner reads only this: an option not declared here is never varied unless the
 * user names it (`--param`). `{}` declares that there is nothing to tune.
 */
export interface TechniqueTunables {
  /** Options worth searching, main knob first. */
  knobs?: readonly KnobDeclaration[];
  /** Prompt-template options the tuner may rewrite (`--propose-prompts`), main instruction first. */
  instructions?: readonly string[];
  /** The option that takes demonstrations (`--bootstrap-demos` fills it), and the knob saying how many are shown. */
  demos?: { option: string; count?: string };
}

/** A technique's tunables with every knob's values worked out (TechniqueInfo.tunables). */
export interface ResolvedTunables {
  knobs: { name: string; values: unknown[] }[];
  instructions: string[];
  demos?: { option: string; count?: string };
  /** Options holding LMs (modelOptions): the tuner walks into the techniques they name. */
  models: string[];
}
