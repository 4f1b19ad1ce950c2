import { z } from "zod";
import { contentText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult, StreamEvent } from "../../core/types.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { runStage, streamStage } from "../stage/run-stage.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { clientValue } from "../spec/option-trust.ts";

/** The zero-shot triggers of the paper (Table 1: PS and PS+). */
export const planAndSolveTriggers = {
  ps: "Let's first understand the problem and devise a plan to solve the problem. Then, let's carry out the plan and solve the problem step by step.",
  "ps+":
    "Let's first understand the problem, extract relevant variables and their corresponding numerals, and devise a plan. Then, let's carry out the plan, calculate intermediate variables (pay attention to correct numerical calculation and commonsense), solve the problem step by step, and show the answer.",
} as const;

const options = z.strictObject({
  variant: clientValue(
    z
      .enum(["ps", "ps+"])
      .default("ps")
      .describe("PS, or PS+ with more detailed instructions (variables, intermediate results)."),
  ),
  trigger: clientValue(
    z.string().trim().min(1).optional().describe("A custom trigger sentence instead of the variant's."),
  ),
  prompt: clientValue(
    templateOption({
      text: "{question}\n\n{trigger}",
      placeholders: ["question", "trigger"],
      required: ["question", "trigger"],
    }).describe("How the question and the trigger are laid out."),
  ),
  extract: clientValue(
    z
      .boolean()
      .default(false)
      .describe('Add the paper\'s answer-extraction call; its "The answer is X." becomes the last line.'),
  ),
  extract_prompt: clientValue(
    z
      .string()
      .trim()
      .min(1)
      .default('Therefore, what is the final answer? Reply with one line of the form "The answer is X."')
      .describe("The extraction call's prompt (extract=true)."),
  ),
});
type Options = z.output<typeof options>;

/**
 * Plan-and-Solve Prompting (Wang et al. 2023, "Plan-and-Solve Prompting: Improving Zero-Shot
 * Chain-of-Thought Reasoning by Large Language Models"): the question is followed by the PS or PS+
 * trigger, so the model plans, then carries the plan out step by step. The paper adds a second
 * call that extracts the answer ("Therefore, the answer is"); chat models already end with their
 * answer, so here it is opt-in (`extract=true`), and its line is appended to the reasoning rather
 * than replacing it. Streams: the reasoning, then (with extract) the answer line. When the caller
 * asks for JSON (response_format), extract=true reasons in free text and answers with the
 * extraction's JSON alone, since text joined to JSON is no longer JSON.
 */
export const planAndSolve = defineTechnique({
  name: "plan-and-solve",
  family: "decompose",
  paper:
    "Wang et al. 2023, Plan-and-Solve Prompting: Improving Zero-Shot Chain-of-Thought Reasoning by Large Language Models",
  description: "Asks the model to devise a plan, then carry it out step by step (PS / PS+ triggers).",
  options,
  tunables: { knobs: ["variant", "extract"], instructions: ["prompt"] },
  async run(run, o) {
    const solution = await runStage({ run, name: "plan and solve", request: solveRequest(run.request, o) });
    if (!o.extract || solution.choices[0]?.message.tool_calls?.length) return solution;
    if (!structured(run.request)) run.keep(solution);
    const extracted = await runStage({ run, name: "extract", request: extractRequest(run.request, o, solution) });
    return joined(run.request, solution, extracted);
  },
  async *stream(run, o): AsyncIterable<StreamEvent> {
    // A structured answer is the extraction alone, so the free-text solution is not streamed.
    const solve = { run, name: "plan and solve", request: solveRequest(run.request, o) };
    const solution = o.extract && structured(run.request) ? await runStage(solve) : yield* streamStage(solve);
    if (!o.extract || solution.choices[0]?.message.tool_calls?.length) {
      yield { type: "result", result: solution };
      return;
    }
    if (structured(run.request)) {
      const extracted = yield* streamStage({ run, name: "extract", request: extractRequest(run.request, o, solution) });
      yield { type: "result", result: extracted };
      return;
    }
    run.keep(solution);
    const extracted = yield* separated(
      streamStage({ run, name: "extract", request: extractRequest(run.request, o, solution) }),
    );
    yield { type: "result", result: joined(run.request, solution, extracted) };
  },
});

/** A JSON response format: text cannot be joined to the answer, so with extract=true the solution is reasoned in free text and the extraction alone is the answer. */
function structured(request: ChatRequest): boolean {
  return request.response_format !== undefined && request.response_format.type !== "text";
}

function solveRequest(request: ChatRequest, o: Options): ChatRequest {
  const question = questionOf({ request, technique: "plan-and-solve" });
  const solving = stageRequest({
    request,
    prompt: fillTemplate(o.prompt, { question, trigger: o.trigger ?? planAndSolveTriggers[o.variant] }),
  });
  if (o.extract && structured(request)) delete solving.response_format;
  return solving;
}

/** The solution as the assistant's turn, then the extraction question. */
function extractRequest(request: ChatRequest, o: Options, solution: ChatResult): ChatRequest {
  const solving = solveRequest(request, o);
  const said = contentText(solution.choices[0]!.message.content);
  const format = request.response_format === undefined ? {} : { response_format: request.response_format };
  return {
    ...solving,
    ...format,
    messages: [...solving.messages, { role: "assistant", content: said }, { role: "user", content: o.extract_prompt }],
  };
}

/** The blank line between solution and answer is sent with the answer's first delta, so a stopped extraction leaves no stray separator. */
async function* separated(stage: AsyncGenerator<StreamEvent, ChatResult>): AsyncGenerator<StreamEvent, ChatResult> {
  let first = true;
  for (;;) {
    const next = await stage.next();
    if (next.done) return next.value;
    const event = next.value;
    if (first && event.type === "delta" && event.index === 0 && event.content) {
      first = false;
      yield { ...event, content: `\n\n${event.content}` };
    } else yield event;
  }
}

function joined(request: ChatRequest, solution: ChatResult, extracted: ChatResult): ChatResult {
  if (structured(request)) return extracted;
  const choice = extracted.choices[0]!;
  const text = `${contentText(solution.choices[0]!.message.content)}\n\n${contentText(choice.message.content)}`;
  return { ...extracted, choices: [{ ...choice, index: 0, message: { ...choice.message, content: text } }] };
}
