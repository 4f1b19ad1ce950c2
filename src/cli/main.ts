import { readFileSync } from "node:fs";
import { Command, CommanderError, Help } from "commander";
import { LmxError } from "../core/errors/lmx-error.ts";
import { processIO, type CliIO } from "./cli-io.ts";
import { isRunFailure } from "./run-failure.ts";
import { lmxCommands } from "./lmx-commands.ts";

/** The package's version (package.json sits two folders up from both src/cli/ and dist/cli/). */
export const lmxVersion: string = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
).version;

/**
 * Builds the `lmx` program. Each subcommand lives in its own file under commands/, imported only when that
 * command runs: `lmx --version` and `lmx --help` load none of them.
 */
export function createProgram(io: CliIO = processIO): Command {
  const program = new Command("lmx")
    .description("inference-time compute for any language model: an LM plus a technique is again an LM")
    .version(lmxVersion, "-V, --version", "print lmx's version")
    .option("-c, --config <file>", "config file (default ./lmx.config.json or LMX_CONFIG)")
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .configureHelp({
      subcommandTerm: (c) => lmxCommands.find((e) => e.name === c.name())?.term ?? new Help().subcommandTerm(c),
    })
    .helpCommand(false)
    .exitOverride();
  const loaded = new Set<Command>();
  const load = async (command: Command) => {
    const entry = lmxCommands.find((e) => e.name === command.name());
    if (!entry || loaded.has(command)) return;
    loaded.add(command);
    (await entry.load())(command, program, io);
  };
  for (const entry of lmxCommands) program.command(entry.name).description(entry.description);
  program.hook("preSubcommand", (_program, command) => load(command));
  // `lmx help <command>` loads the command first, so its help lists its options.
  program
    .command("help")
    .description("display help for command")
    .argument("[command]")
    .action(async (name?: string) => {
      const command = program.commands.find((c) => c.name() === name);
      if (!name) return program.help();
      if (!command) return program.error(`error: unknown command '${name}'`);
      await load(command);
      command.help();
    });
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 a failure lmx explains in one line, 2 bad usage (an error
 * found parsing the command line or a spec; an invalid request raised by a run stage is a failure, see run-failure.ts).
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  try {
    // `-c` reaches techniques and tools through the runtime each command opens, not the environment.
    await createProgram(io).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (LmxError.isInstance(error)) {
      io.stderr.write(`lmx: ${error.message}\n${detailLines(error)}`);
      return error.code === "invalid_request" && !isRunFailure(error) ? 2 : 1;
    }
    io.stderr.write(
      `lmx: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

const MAX_DETAIL_CHARS = 4000;

/**
 * An error's `detail` (host data such as an MCP server's command line and stderr, which the proxy keeps from
 * its clients) shown indented below the message: the CLI's user is the operator. Capped, as stderr can hold anything.
 */
function detailLines(error: object): string {
  const detail = (error as { detail?: unknown }).detail;
  if (typeof detail !== "string" || !detail.trim()) return "";
  const shown = detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS)}…` : detail;
  return (
    shown
      .trim()
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n") + "\n"
  );
}
