import { hostOf } from "../../runtime/host-of.ts";
import { z } from "zod";
import type { Choice, StreamEvent } from "../../core/types.ts";
import { GrantedMcpServers } from "../../tools/mcp/granted-mcp-servers.ts";
import { mcpServerSchema } from "../../tools/mcp/mcp-server-config.ts";
import { openTools, toolNameProblem, type ToolSpec } from "../../tools/open-tools.ts";
import { toolName, type Tool } from "../../tools/tool.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { templateOption } from "../stage/template-option.ts";
import { nativeToolLoop } from "./native-tool-loop.ts";
import { promptedToolLoop } from "./prompted-tool-loop.ts";
import { reactPrompt } from "./react-protocol.ts";
import { VisibleText } from "./visible-text.ts";
import { clientValue, hostResource } from "../spec/option-trust.ts";

const toolObject = z.custom<Tool>(
  (v) =>
    typeof v === "object" &&
    v !== null &&
    typeof (v as Tool).execute === "function" &&
    typeof (v as Tool).definition?.function?.name === "string",
  "must be a tool name or a { definition, execute } tool",
);
const toolNameOption = z.string().superRefine((name, ctx) => {
  const problem = toolNameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const options = z.strictObject({
  tools: hostResource(
    z
      .array(z.union([toolNameOption, toolObject]))
      .min(1)
      .default(["calculator", "sandbox"])
      .describe(
        "calculator, sandbox (JavaScript), sandbox:python, index[:<index>], memory[:<store>], mcp:<server>, or Tool objects.",
      ),
    { grant: "tools" },
  ),
  max_steps: clientValue(
    z.int().min(1).max(50).default(8).describe("Model calls at most; the last one is asked to answer without tools."),
  ),
  protocol: clientValue(
    z
      .enum(["auto", "native", "prompted"])
      .default("auto")
      .describe("native tool calls, or the prompted ReAct text protocol (auto: native when the model supports tools)."),
  ),
  mcp_servers: hostResource(
    z
      .union([z.record(z.string(), mcpServerSchema), z.instanceof(GrantedMcpServers)])
      .optional()
      .describe("MCP servers by name (default: lmx.config.json mcp.servers)."),
  ),
  react_prompt: clientValue(
    templateOption({ text: reactPrompt, placeholders: ["tools", "tool_names"], required: ["tools"] }).describe(
      "Tool instructions of the prompted protocol, added to the system prompt.",
    ),
  ),
});
type Options = z.output<typeof options>;

/**
 * A tool-use loop (Yao et al. 2022, "ReAct: Synergizing Reasoning and Acting in Language Models";
 * Schick et al. 2023, "Toolformer: Language Models Can Teach Themselves to Use Tools"): the model
 * gets lmx's tools (calculator, sandbox, document index, memory, MCP servers) besides the caller's
 * own, lmx runs the calls it owns and feeds the results back until the model answers or
 * `max_steps` is reached. Calls of the caller's tools are returned to the caller unchanged
 * (finish_reason "tool_calls"), so the proxy stays faithful. Models without native tool calling get
 * the prompted ReAct protocol. Every tool call is a `tool` span; MCP sessions close when the run ends.
 */
export const tools = defineTechnique({
  name: "tools",
  family: "tools",
  paper:
    "Yao et al. 2022, ReAct: Synergizing Reasoning and Acting in Language Models; Schick et al. 2023, Toolformer: Language Models Can Teach Themselves to Use Tools",
  description:
    "Lets the model call tools (calculator, sandbox, your index and memory, MCP servers) in a loop, running lmx's and returning yours.",
  options,
  tunables: { knobs: ["max_steps", "protocol"], instructions: ["react_prompt"] },
  async run(run, o) {
    const loop = toolLoop(run, o, false);
    for (;;) {
      const next = await loop.next();
      if (next.done) return next.value;
    }
  },
  async *stream(run, o): AsyncIterable<StreamEvent> {
    const choice = yield* toolLoop(run, o, true);
    yield {
      type: "result",
      result: {
        id: "",
        model: run.inner.id,
        created: Math.floor(Date.now() / 1000),
        choices: [choice],
        usage: { ...run.ctx.span.total },
      },
    };
  },
});

async function* toolLoop(run: TechniqueRun, o: Options, streaming: boolean): AsyncGenerator<StreamEvent, Choice> {
  const opened = await openTools({
    tools: o.tools as ToolSpec[],
    mcpServers: o.mcp_servers,
    configured: hostOf(run.ctx).mcpServers,
    signal: run.ctx.signal,
  });
  for (const server of opened.servers) run.ctx.span.event("mcp connected", server);
  try {
    const owned = new Map(opened.tools.map((t) => [toolName(t), t]));
    const userTools = run.request.tools ?? [];
    const clash = userTools.find((t) => owned.has(t.function.name));
    if (clash)
      throw new InvalidRequestError(
        `tools: the request's tool "${clash.function.name}" has the name of one of lmx's tools; rename it`,
        { param: "tools" },
      );
    const native = o.protocol === "native" || (o.protocol === "auto" && run.inner.capabilities.tools);
    run.ctx.span.set({
      protocol: native ? "native" : "prompted",
      tools: [...owned.keys()],
      caller_tools: userTools.map((t) => t.function.name),
    });
    const loop = { run, maxSteps: o.max_steps, owned, userTools, streaming, visible: new VisibleText() };
    return native ? yield* nativeToolLoop(loop) : yield* promptedToolLoop(loop, o.react_prompt);
  } finally {
    await opened.close();
  }
}
