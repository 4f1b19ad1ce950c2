import assert from "node:assert/strict";
import { test } from "node:test";
import { Command, Help } from "commander";
import { lmxCommands } from "./lmx-commands.ts";
import type { CliIO } from "./cli-io.ts";
import { runMain } from "./testing/run-main.ts";

test("each command's line in lmx --help is what commander writes for the loaded command", async () => {
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr } as unknown as CliIO;
  for (const entry of lmxCommands) {
    const program = new Command("lmx");
    const command = program.command(entry.name);
    (await entry.load())(command, program, io);
    assert.equal(new Help().subcommandTerm(command), entry.term, entry.name);
  }
});

test("lmx --help lists every command; lmx help <command> shows that command's options; an unknown one is bad usage", async () => {
  const help = await runMain(["--help"]);
  assert.equal(help.code, 0);
  for (const entry of lmxCommands) assert.ok(help.stdout.includes(`  ${entry.term} `), entry.name);
  const ask = await runMain(["help", "ask"]);
  assert.equal(ask.code, 0);
  assert.match(ask.stdout, /^Usage: lmx ask \[options\] \[question\.\.\.\]/);
  assert.match(ask.stdout, /--temperature <x>/);
  const nope = await runMain(["help", "nope"]);
  assert.equal(nope.code, 2);
  assert.match(nope.stderr, /unknown command 'nope'/);
});
