import { contentText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult, Choice } from "../../core/types.ts";
import type { TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { runStage } from "../stage/run-stage.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { parseValue } from "./parse-value.ts";
import { parseVote } from "./parse-vote.ts";
import { settleAll } from "../../core/settle-all.ts";
import { betterNode, formatSteps, isCompleteStep, rootNode, type ThoughtNode } from "./thought-node.ts";
import type { ThoughtOptions } from "./thought-options.ts";

/** The parts a search strategy (BFS, DFS, MCTS) is built from; every call goes through the run's context. */
export interface ThoughtSearch {
  readonly root: ThoughtNode;
  /** Proposes the next steps of a state in one request of n=breadth; duplicate states are dropped. */
  expand(node: ThoughtNode): Promise<ThoughtNode[]>;
  /** Values each state in its own request of n=value_samples, all at once; sets `score` to the mean. */
  value(nodes: ThoughtNode[]): Promise<void>;
  /** One request of n=value_samples voting for the most promising state; sets `score` to the votes. */
  vote(nodes: ThoughtNode[]): Promise<void>;
  /** Keeps the state as the answer so far when it is better than the kept one (always, with `force`). */
  keep(node: ThoughtNode, force?: boolean): void;
  progress(data: Record<string, unknown>): void;
  /** A span event on the technique's span (decisions: prune, backtrack, select...). */
  event(name: string, data: Record<string, unknown>): void;
  /** The final request: the caller's conversation asking for an answer from the state's reasoning. */
  answerRequest(node: ThoughtNode): ChatRequest;
  /** The final result, marked finish_reason "budget" when a budget cut a batch of samples short. */
  finish(result: ChatResult): ChatResult;
}

/** The shared machinery of the thought searches, over one run. */
export function createThoughtSearch({
  run,
  options: o,
  technique,
}: {
  run: TechniqueRun;
  options: ThoughtOptions;
  technique: string;
}): ThoughtSearch {
  const question = questionOf({ request: run.request, technique });
  const root = rootNode();
  let nextId = 1;
  // Every call takes its own range of sample indices, so no two samples of a run are the same sample.
  let nextSample = run.ctx.sampleOffset ?? 0;
  const samples = (n: number) => {
    const first = nextSample;
    nextSample += n;
    return first;
  };
  let kept: ThoughtNode | undefined;
  let cut = false;
  const stats = { expanded: 0, evaluated: 0 };

  const note = (prompt: string, n: number): ChatRequest => ({
    ...stageRequest({ request: run.request, prompt, purpose: "note" }),
    n,
  });
  const texts = (result: ChatResult, asked: number) => {
    // The accounting path returns fewer samples than asked only when the budget stopped the rest.
    if (result.choices.length < asked) cut = true;
    return result.choices.map((c) => contentText(c.message.content));
  };
  const nodeEvent = (node: ThoughtNode, extra: Record<string, unknown>) =>
    run.ctx.span.event("node", {
      id: node.id,
      parent: node.parent?.id ?? null,
      depth: node.depth,
      step: node.steps.at(-1),
      state: formatSteps(node.steps),
      score: node.score ?? null,
      complete: node.complete,
      ...extra,
    });

  async function expand(node: ThoughtNode): Promise<ThoughtNode[]> {
    const prompt = fillTemplate(o.propose_prompt, {
      question,
      steps: formatSteps(node.steps),
      step: node.depth + 1,
      answer_marker: o.answer_marker,
    });
    const request = {
      ...note(prompt, o.breadth),
      ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
    };
    const result = await runStage({ run, name: `propose ${node.id}`, request, sampleOffset: samples(o.breadth) });
    stats.expanded++;
    const known = new Set(node.children.map((c) => c.steps.at(-1)));
    const children: ThoughtNode[] = [];
    for (const step of texts(result, o.breadth).map((t) => t.trim())) {
      // Identical proposals are one state (the paper's duplicate check): valuing it twice is waste.
      if (!step || known.has(step)) continue;
      known.add(step);
      children.push({
        id: nextId++,
        parent: node,
        depth: node.depth + 1,
        steps: [...node.steps, step],
        complete: isCompleteStep({ step, marker: o.answer_marker }),
        children: [],
      });
    }
    run.ctx.span.event("expand", {
      id: node.id,
      children: children.map((c) => c.id),
      proposals: result.choices.length,
    });
    node.children.push(...children);
    // Before anything is scored, an unscored proposal is still a better fallback than nothing.
    if (!kept && children[0]) keep(children[0]);
    return children;
  }

  async function value(nodes: ThoughtNode[]): Promise<void> {
    await settleAll(
      nodes.map(async (node) => {
        const prompt = fillTemplate(o.value_prompt, { question, steps: formatSteps(node.steps) });
        const result = await runStage({
          run,
          name: `value ${node.id}`,
          request: note(prompt, o.value_samples),
          sampleOffset: samples(o.value_samples),
        });
        // An unreadable judgement counts as 0, as in the paper's value sums.
        const values = texts(result, o.value_samples).map(parseValue);
        node.score = values.reduce<number>((s, v) => s + (v ?? 0), 0) / values.length;
        stats.evaluated++;
        nodeEvent(node, { values: values.map((v) => v ?? null) });
        keep(node);
      }),
    );
  }

  async function vote(nodes: ThoughtNode[]): Promise<void> {
    if (nodes.length === 0) return;
    if (nodes.length === 1) {
      // A vote among one is decided: no call.
      nodes[0]!.score = o.value_samples;
      nodeEvent(nodes[0]!, { votes: o.value_samples, unopposed: true });
      return;
    }
    const choices = nodes.map((n, i) => `Choice ${i + 1}:\n${formatSteps(n.steps)}`).join("\n\n");
    const prompt = fillTemplate(o.vote_prompt!, { question, choices });
    const result = await runStage({
      run,
      name: "vote",
      request: note(prompt, o.value_samples),
      sampleOffset: samples(o.value_samples),
    });
    const ballots = texts(result, o.value_samples).map((text) => parseVote({ text, choices: nodes.length }));
    const counts = nodes.map((_, i) => ballots.filter((b) => b === i).length);
    nodes.forEach((n, i) => (n.score = counts[i]));
    stats.evaluated += nodes.length;
    run.ctx.span.event("vote", {
      candidates: nodes.map((n) => n.id),
      ballots: ballots.map((b) => (b === undefined ? null : nodes[b]!.id)),
      counts,
    });
    for (const n of nodes) nodeEvent(n, { votes: n.score });
  }

  function keep(node: ThoughtNode, force = false): void {
    if (!force && kept && !betterNode(node, kept)) return;
    kept = node;
    // The kept answer is the state's reasoning itself: answering from it would cost a call that a
    // budget stop cannot make. A complete state's last step carries its final answer.
    const choice: Choice = {
      index: 0,
      message: { role: "assistant", content: formatSteps(node.steps) },
      finish_reason: "stop",
    };
    run.keep(choice);
  }

  function progress(data: Record<string, unknown>): void {
    run.progress({
      nodes_expanded: stats.expanded,
      nodes_evaluated: stats.evaluated,
      best_score: kept?.score ?? null,
      ...data,
    });
  }

  function answerRequest(node: ThoughtNode): ChatRequest {
    run.ctx.span.event("selected", {
      id: node.id,
      depth: node.depth,
      score: node.score ?? null,
      state: formatSteps(node.steps),
    });
    // With no step at all (every proposal empty) the question is answered directly.
    if (node.steps.length === 0) return run.request;
    return stageRequest({
      request: run.request,
      prompt: fillTemplate(o.answer_prompt, { question, steps: formatSteps(node.steps) }),
    });
  }

  function finish(result: ChatResult): ChatResult {
    if (!cut) return result;
    run.ctx.span.event("stopped", { reason: "budget", detail: "a budget cut a batch of samples short" });
    return { ...result, choices: result.choices.map((c) => ({ ...c, finish_reason: "budget" })) };
  }

  const event = (name: string, data: Record<string, unknown>) => run.ctx.span.event(name, data);
  return { root, expand, value, vote, keep, progress, event, answerRequest, finish };
}
