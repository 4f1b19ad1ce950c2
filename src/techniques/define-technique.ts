import type { z } from "zod";
import { addUsage, emptyUsage } from "../accounting/usage.ts";
import { childContext, createRunContext } from "../core/context.ts";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { validOptionsHint } from "./valid-options-hint.ts";
import { contentText } from "../core/messages.ts";
import type { ChatRequest, ChatResult, Choice, LM, RunContext, StreamEvent } from "../core/types.ts";
import type { Span } from "../trace/span.ts";
import type { RunHost } from "../core/run-host.ts";
import { validateRequest } from "../providers/validate-request.ts";
import { formatModelId, formatTechnique } from "./format-technique.ts";
import { isLM } from "../core/is-lm.ts";
import { isTechniqueLM } from "./technique-tree.ts";
import type { TechniqueTunables } from "./tunables/technique-tunables.ts";

export type TechniqueFamily =
  | "sample-many"
  | "iterate"
  | "beyond-context"
  | "tools"
  | "rephrase"
  | "decompose"
  | "search"
  | "cascade"
  | "prompting";

/** What a technique's `run` gets: its inner LM, the request, its own traced context and helpers. */
export interface TechniqueRun {
  inner: LM;
  request: ChatRequest;
  /** The technique's context: its span is this technique's node in the trace. */
  ctx: RunContext;
  /** Remember the best full answer so far; it is returned if a budget or abort stops the run. */
  keep(best: ChatResult | Choice): void;
  /** Report progress (candidates done, votes...): a span event and the run's progress sink. */
  progress(data: Record<string, unknown>): void;
}

export interface TechniqueDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  family: TechniqueFamily;
  /** The paper it follows, e.g. "Wang et al. 2022, Self-Consistency Improves Chain of Thought Reasoning". */
  paper: string;
  description: string;
  /** Option schema; parsing fills defaults and rejects unknown keys. */
  options: S;
  /** Option keys whose values are LMs (written as model specs in the spec language). */
  modelOptions?: string[];
  /**
   * What `lmx tune` may change: knobs (with their search values), instructions, demonstrations.
   * Every built-in declares it (`{}` for nothing); the tuner never guesses beyond it.
   */
  tunables?: TechniqueTunables;
  /** The technique answers `n > 1` itself; otherwise it runs once per requested choice. */
  handlesN?: boolean;
  run(run: TechniqueRun, options: z.output<S>): Promise<ChatResult | Choice>;
  /** Optional streaming: yield deltas of the final stage, end with a `result` event. */
  stream?(run: TechniqueRun, options: z.output<S>): AsyncIterable<StreamEvent>;
}

/**
 * A technique factory: `(inner, options) => LM`, carrying its definition for registries and printing.
 * The default `S` takes any options (the factory validates them at run time), so that a list of
 * factories with different option types, like `allTechniques`, type-checks.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TechniqueFactory<S extends z.ZodType = z.ZodType<any, any>> = ((
  inner: LM,
  options?: z.input<S>,
  bound?: TechniqueBinding,
) => TechniqueLM) & {
  definition: TechniqueDefinition<S>;
};

/** What a runtime binds to the LMs it builds: its host, used by runs whose context brings none. */
export interface TechniqueBinding {
  host?: RunHost;
}

/** An LM made by a technique; it remembers how it was made so specs print back exactly. */
export interface TechniqueLM extends LM {
  /** `spec`: this layer's canonical text (`name(key=value)`, non-default options only). */
  technique: { name: string; options: Record<string, unknown>; inner: LM; spec: string };
}

/** Builds a technique from its definition: option validation, tracing, budget fallback, usage roll-up. */
export function defineTechnique<S extends z.ZodType>(definition: TechniqueDefinition<S>): TechniqueFactory<S> {
  const factory = (inner: LM, rawOptions?: z.input<S>, bound?: TechniqueBinding): TechniqueLM => {
    const parsed = definition.options.safeParse(rawOptions ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const param = issue.path.join(".") || (issue as { keys?: string[] }).keys?.join(", ");
      const hint = issue.code === "unrecognized_keys" ? validOptionsHint(definition.options) : "";
      throw new InvalidRequestError(`${definition.name}: ${param ? `${param}: ` : ""}${issue.message}${hint}`, {
        param: param || undefined,
      });
    }
    const options = parsed.data as z.output<S>;
    const spec = formatTechnique(definition, options as Record<string, unknown>);
    // The id is the canonical spec of the whole stack, which parses back to this LM.
    const id = isTechniqueLM(inner) ? `${spec} > ${inner.id}` : `${spec}@${formatModelId(inner.id)}`;

    /** The caller's context (or a fresh one), with the bound host when it brings none. */
    function rootOf(outer: RunContext | undefined): RunContext {
      const root = outer ?? createRunContext({ name: id });
      return root.host || !bound?.host ? root : { ...root, host: bound.host };
    }

    function begin(request: ChatRequest, outer: RunContext | undefined) {
      const root = rootOf(outer);
      const ctx = childContext(root, definition.name, "technique", {
        technique: definition.name,
        options: printable(options),
      });
      let best: Choice | undefined;
      const run: TechniqueRun = {
        inner,
        request,
        ctx,
        keep(b) {
          best = "choices" in b ? b.choices[0] : b;
        },
        progress(data) {
          ctx.span.event("progress", data);
          ctx.onProgress?.({ technique: definition.name, ...data });
        },
      };
      return { ctx, run, best: () => best };
    }

    function finish(ctx: RunContext, choices: Choice[], upstream?: ChatResult): ChatResult {
      ctx.span.set({ output: choices.map((c) => contentText(c.message.content)) });
      ctx.span.finish();
      return {
        id: `lmx-${ctx.span.id}`,
        model: id,
        created: Math.floor(Date.now() / 1000),
        choices: choices.map((c, index) => ({ ...c, index })),
        usage: { ...ctx.span.total },
        trace_id: ctx.span.traceId,
        system_fingerprint: upstream?.system_fingerprint ?? null,
      };
    }

    /**
     * A budget stop or an abort returns the best answer kept so far, marked with why; when part of
     * the answer was already streamed, that text instead, as deltas cannot be taken back.
     */
    function fallback(error: unknown, ctx: RunContext, best: Choice | undefined, streamed?: string): ChatResult {
      const reason = BudgetExceededError.isInstance(error)
        ? "budget"
        : AbortedError.isInstance(error)
          ? "aborted"
          : undefined;
      if (!reason || !best) {
        ctx.span.fail(error);
        throw error;
      }
      ctx.span.event("stopped", { reason, error: (error as Error).message });
      const answer =
        streamed === undefined ? best : { index: 0, message: { role: "assistant" as const, content: streamed } };
      return finish(ctx, [{ ...answer, finish_reason: reason }]);
    }

    async function once(request: ChatRequest, outer: RunContext | undefined, spans?: Span[]): Promise<ChatResult> {
      const { ctx, run, best } = begin(request, outer);
      spans?.push(ctx.span);
      try {
        const out = await definition.run(run, options);
        return "choices" in out ? finish(ctx, out.choices, out) : finish(ctx, [out]);
      } catch (error) {
        return fallback(error, ctx, best());
      }
    }

    async function complete(request: ChatRequest, outer?: RunContext): Promise<ChatResult> {
      // The same clear errors as a provider: n=0 would otherwise answer with no choice at all.
      validateRequest(request);
      const n = request.n ?? 1;
      if (n === 1 || definition.handlesN) return once(request, outer);
      // One independent run per choice, each with its own range of sample indices.
      const root = rootOf(outer);
      const single = { ...request, n: 1 };
      const spans: Span[] = [];
      const settled = await Promise.allSettled(
        Array.from({ length: n }, (_, i) =>
          once(single, { ...root, sampleOffset: (root.sampleOffset ?? 0) + i * 1000 }, spans),
        ),
      );
      // Like the provider's n: runs a budget or abort stopped before any answer are left out, so the
      // answers already paid for are not lost; any other failure, or no answer at all, is an error.
      const runs = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (
        failed &&
        (runs.length === 0 ||
          !(BudgetExceededError.isInstance(failed.reason) || AbortedError.isInstance(failed.reason)))
      )
        throw failed.reason;
      return {
        ...runs[0]!,
        id: `lmx-${root.span.id}`,
        choices: runs.map((r, index) => ({ ...r.choices[0]!, index })),
        // Every run's calls were paid for, the stopped ones' too.
        usage: spans.reduce((u, span) => addUsage(u, span.total), emptyUsage()),
      };
    }

    async function* stream(request: ChatRequest, outer?: RunContext): AsyncIterable<StreamEvent> {
      validateRequest(request);
      if (!definition.stream || (request.n ?? 1) > 1) {
        const result = await complete(request, outer);
        for (const choice of result.choices) {
          const text = contentText(choice.message.content);
          const reasoning = choice.message.reasoning_content || undefined;
          if (text || reasoning) yield { type: "delta", index: choice.index, reasoning, content: text || undefined };
        }
        yield { type: "result", result };
        return;
      }
      const { ctx, run, best } = begin(request, outer);
      let streamed: string | undefined;
      try {
        for await (const event of definition.stream(run, options)) {
          if (event.type === "result") {
            yield { type: "result", result: finish(ctx, event.result.choices, event.result) };
            return;
          }
          if (event.type === "delta" && event.index === 0 && event.content) streamed = (streamed ?? "") + event.content;
          yield event;
        }
        throw new Error(`${definition.name} stream ended without a result`);
      } catch (error) {
        const result = fallback(error, ctx, best(), streamed);
        if (streamed === undefined) {
          const text = contentText(result.choices[0]!.message.content);
          if (text) yield { type: "delta", index: 0, content: text };
        }
        yield { type: "result", result };
      } finally {
        // A consumer that stops reading early still leaves a closed, accounted span behind.
        if (ctx.span.end === undefined) {
          ctx.span.event("stopped", { reason: "consumer stopped reading" });
          ctx.span.finish();
        }
      }
    }

    return {
      id,
      capabilities: { ...inner.capabilities, nativeN: true, streaming: true },
      complete,
      stream,
      technique: { name: definition.name, options: options as Record<string, unknown>, inner, spec },
    };
  };
  return Object.assign(factory, { definition });
}

/** Options for the trace: LMs become their ids, functions their names. */
function printable(options: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(options, (_k, v) =>
      typeof v === "function" ? `<fn ${v.name || "anonymous"}>` : isLM(v) ? v.id : v,
    ),
  );
}
