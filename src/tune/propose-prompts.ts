import { createRunContext } from "../core/context.ts";
import { resultText } from "../core/messages.ts";
import type { LM, Usage } from "../core/types.ts";
import { emptyUsage, addUsage } from "../accounting/usage.ts";
import type { TechniqueRegistry } from "../techniques/registry.ts";
import { parseTechniqueSpec } from "../techniques/spec/index.ts";
import { rewriteSpec, walkTechniqueTree } from "../techniques/walk-technique-tree.ts";

export interface ProposePromptsOptions {
  /** The LM that writes the rewrites. */
  lm: LM;
  /** Technique specs whose instructions get rewrites (specs without a prompt option are passed over). */
  specs: readonly string[];
  /** Rewrites asked for per instruction. */
  count: number;
  registry: TechniqueRegistry;
  signal?: AbortSignal;
  seed?: number;
}

export interface ProposedPrompts {
  /** New candidate specs: a base with one instruction replaced. */
  specs: { base: string; spec: string; option: string }[];
  /** Instructions whose reply held no usable JSON list. */
  failures: string[];
  usage: Usage;
}

const PLACEHOLDER = /\{\{|\}\}|\{([A-Za-z_][\w-]*)\}/g;

/**
 * Instruction proposals in the manner of OPRO (Yang et al. 2023, "Large Language Models as
 * Optimizers"): the LM is shown each instruction a technique declares as tunable (its
 * `tunables.instructions`, anywhere in the spec's tree, left at the default) and asked for `count`
 * rewrites that keep its placeholders. Each becomes a candidate `technique(option="...")`; the
 * tuner then measures them like any other, and a rewrite the technique rejects (a lost
 * placeholder) is skipped when it is built.
 */
export async function proposePrompts(options: ProposePromptsOptions): Promise<ProposedPrompts> {
  const out: ProposedPrompts = { specs: [], failures: [], usage: emptyUsage() };
  for (const base of new Set(options.specs)) {
    if (base.trim() === "none") continue;
    const ast = parseTechniqueSpec(base);
    const instructions = walkTechniqueTree(ast, options.registry).flatMap((node) =>
      options.registry
        .info(node.call.name)
        .tunables.instructions.filter((name) => !Object.hasOwn(node.call.params, name))
        .map((name) => ({ node, name })),
    );
    for (const { node, name } of instructions) {
      const call = node.call;
      const info = options.registry.info(call.name);
      const template = info.parameters.find((p) => p.name === name)!;
      if (typeof template.default !== "string") continue;
      const current = template.default as string;
      const ctx = createRunContext({
        name: `propose ${call.name}.${template.name}`,
        signal: options.signal,
        seed: options.seed,
      });
      const result = await options.lm.complete(
        {
          messages: [
            { role: "user", content: metaPrompt(info.name, info.description, template.name, current, options.count) },
          ],
        },
        ctx,
      );
      addUsage(out.usage, result.usage);
      const rewrites = parseList(resultText(result));
      if (!rewrites) {
        out.failures.push(`${node.label}.${template.name}: the reply held no JSON list of strings`);
        continue;
      }
      for (const text of rewrites.filter((t) => t.trim() && t !== current).slice(0, options.count))
        out.specs.push({
          base,
          option: `${node.label}.${template.name}`,
          spec: rewriteSpec(ast, options.registry, [{ path: node.path, name: template.name, value: text }]),
        });
    }
  }
  return out;
}

function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((x): x is string => !!x))];
}

function metaPrompt(technique: string, description: string, option: string, current: string, count: number): string {
  const names = placeholders(current)
    .map((p) => `{${p}}`)
    .join(", ");
  return [
    `You are improving one instruction of "${technique}", an inference-time technique for language models: ${description}`,
    `Its prompt template "${option}" is currently:`,
    "<template>",
    current,
    "</template>",
    `The program fills in the placeholders in braces. Every rewrite must contain exactly these placeholders: ${names}. Write a literal brace as {{ or }}.`,
    `Write ${count} different rewrites of this template that would make a language model answer more accurately.`,
    `Reply with only a JSON array of ${count} strings.`,
  ].join("\n");
}

/** The first JSON array of strings in the reply (models like to wrap it in prose or a code fence). */
function parseList(text: string): string[] | undefined {
  const start = text.indexOf("[");
  const end = text.lastIndexOf("]");
  if (start < 0 || end <= start) return undefined;
  try {
    const value = JSON.parse(text.slice(start, end + 1)) as unknown;
    return Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : undefined;
  } catch {
    return undefined;
  }
}
