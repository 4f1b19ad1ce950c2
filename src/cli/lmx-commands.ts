import type { Command } from "commander";
import type { CliIO } from "./cli-io.ts";

/** Fills in a command's arguments, options, subcommands and action (see commands/). */
export type ConfigureCommand = (command: Command, program: Command, io: CliIO) => void;

/**
 * `lmx`'s commands. What `lmx --help` shows (name, arguments, summary) lives here, so listing them loads no
 * command module: each module is imported only when its command runs (or its own help is asked for).
 */
export interface LmxCommand {
  name: string;
  /** The command's line in `lmx --help`, as commander would write it for the loaded command. */
  term: string;
  description: string;
  load(): Promise<ConfigureCommand>;
}

export const lmxCommands: readonly LmxCommand[] = [
  {
    name: "ask",
    term: "ask [options] [question...]",
    description: "answer a question (from the arguments, or stdin when omitted)",
    load: async () => (await import("./commands/ask.ts")).configureAsk,
  },
  {
    name: "models",
    term: "models [options]",
    description: "list providers, the default model, aliases and downloaded GGUF models",
    load: async () => (await import("./commands/models.ts")).configureModels,
  },
  {
    name: "techniques",
    term: "techniques [options] [name]",
    description: "list every technique with its parameters, defaults and paper",
    load: async () => (await import("./commands/techniques.ts")).configureTechniques,
  },
  {
    name: "eval",
    term: "eval [options]",
    description:
      "measure techniques on a dataset: accuracy with 95% intervals against compute, resumable, with an HTML report",
    load: async () => (await import("./commands/eval.ts")).configureEval,
  },
  {
    name: "trace",
    term: "trace [options] [id]",
    description: "print a stored trace tree (from lmx ask, lmx serve or lmx eval); without an id, list recent traces",
    load: async () => (await import("./commands/trace.ts")).configureTrace,
  },
  {
    name: "record",
    term: "record [options]",
    description:
      "sample a model N times per question into a *.bank.jsonl sample bank (for free replay: --model replay:<bank>); resumable",
    load: async () => (await import("./commands/record.ts")).configureRecord,
  },
  {
    name: "serve",
    term: "serve [options]",
    description:
      "serve any technique over any model as an OpenAI- and Anthropic-compatible API (/v1/chat/completions, /v1/responses, /v1/completions, /v1/messages, /v1/embeddings)",
    load: async () => (await import("./commands/serve.ts")).configureServe,
  },
  {
    name: "index",
    term: "index",
    description: "build and search the document index the retrieve technique reads",
    load: async () => (await import("./commands/index.ts")).configureIndex,
  },
  {
    name: "memory",
    term: "memory",
    description: "list, add and forget the lessons the memory technique recalls",
    load: async () => (await import("./commands/memory.ts")).configureMemory,
  },
  {
    name: "tune",
    term: "tune [options]",
    description:
      "choose the technique, parameters and prompts that are most accurate on a dataset within a compute budget",
    load: async () => (await import("./commands/tune.ts")).configureTune,
  },
  {
    name: "worker",
    term: "worker [options]",
    description:
      "evaluate the questions lmx eval --queue and lmx tune --queue put on a Redis queue, on any number of machines",
    load: async () => (await import("./commands/worker.ts")).configureWorker,
  },
];
