/** A parameter value as written in a spec: JSON-like data (model specs are strings until built). */
export type SpecValue = string | number | boolean | null | SpecValue[] | { [key: string]: SpecValue };

/** Where a parameter's value was written, for error carets and for reading bare words as strings. */
export interface SpecValueSource {
  /** 0-based offset of the value in the spec text. */
  offset: number;
  /** 0-based offset of the parameter's name. */
  keyOffset: number;
  /** The value exactly as written. */
  raw: string;
  /** An unquoted scalar (`5`, `true`, `gpt-4o`): may be read as a string where a string is expected. */
  bare: boolean;
}

/** `name(key=value, ...)`: one technique of a chain. */
export interface TechniqueCall {
  name: string;
  params: Record<string, SpecValue>;
  /** 0-based offset of the name in the spec text. */
  offset: number;
  sources: Record<string, SpecValueSource>;
}

/**
 * The syntax of an LM spec: techniques outermost first, then the model after `@` if written. A spec
 * that is only a model (`openai:gpt-4o`) has no techniques.
 */
export interface TechniqueSpecAst {
  text: string;
  techniques: TechniqueCall[];
  model?: string;
  /** 0-based offset of the model in the spec text. */
  modelOffset?: number;
}
