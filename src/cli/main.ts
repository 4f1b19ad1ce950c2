import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { LmxError } from "../core/errors/lmx-error.ts";
import { processIO, type CliIO } from "./cli-io.ts";
import { isRunFailure } from "./run-failure.ts";
import { registerAsk } from "./commands/ask.ts";
import { registerModels } from "./commands/models.ts";
import { registerTechniques } from "./commands/techniques.ts";
import { registerEval } from "./commands/eval.ts";
import { registerTrace } from "./commands/trace.ts";
import { registerRecord } from "./commands/record.ts";
import { registerServe } from "./commands/serve.ts";
import { registerIndex } from "./commands/index.ts";
import { registerMemory } from "./commands/memory.ts";
import { registerTune } from "./commands/tune.ts";

/** The package's version (package.json sits two folders up from both src/cli/ and dist/cli/). */
export const lmxVersion: string = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
).version;

/** Builds the `lmx` program; each subcommand lives in its own file under commands/. */
export function createProgram(io: CliIO = processIO): Command {
  const program = new Command("lmx")
    .description("inference-time compute for any language model: an LM plus a technique is again an LM")
    .version(lmxVersion, "-V, --version", "print lmx's version")
    .option("-c, --config <file>", "config file (default ./lmx.config.json or LMX_CONFIG)")
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  registerAsk(program, io);
  registerModels(program, io);
  registerTechniques(program, io);
  registerEval(program, io);
  registerTrace(program, io);
  registerRecord(program, io);
  registerServe(program, io);
  registerIndex(program, io);
  registerMemory(program, io);
  registerTune(program, io);
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 a failure lmx explains in one line, 2 bad usage (an error
 * found parsing the command line or a spec; an invalid request raised by a run stage is a failure, see run-failure.ts).
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const previous = process.env.LMX_CONFIG;
  try {
    const program = createProgram(io);
    // Parts that read the config themselves (MCP servers, the index and memory tools) see `-c` too,
    // exactly as they see LMX_CONFIG.
    program.hook("preAction", () => {
      const file = program.opts().config as string | undefined;
      if (file) process.env.LMX_CONFIG = resolve(file);
    });
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (LmxError.isInstance(error)) {
      io.stderr.write(`lmx: ${error.message}\n`);
      return error.code === "invalid_request" && !isRunFailure(error) ? 2 : 1;
    }
    io.stderr.write(
      `lmx: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  } finally {
    if (previous === undefined) delete process.env.LMX_CONFIG;
    else process.env.LMX_CONFIG = previous;
  }
}
