import type { Command } from "commander";
import { defaultRegistry } from "../../techniques/registry.ts";
import type { CliIO } from "../cli-io.ts";

export function configureTechniques(command: Command, program: Command, io: CliIO): void {
  command
    .argument("[name]", "show one technique in full (prompts included)")
    .option("--json", "print JSON")
    .action((name: string | undefined, options: { json?: boolean }) => {
      const registry = defaultRegistry();
      const list = name ? [registry.info(name)] : registry.list();
      if (options.json) return void io.stdout.write(JSON.stringify(list, null, 2) + "\n");
      const lines: string[] = [];
      for (const t of list) {
        lines.push(`${t.name}  (${t.family})`, `  ${t.description}`, `  paper: ${t.paper}`);
        for (const p of t.parameters) {
          const shown = p.default === undefined ? "" : JSON.stringify(p.default);
          const def = !shown ? "" : ` = ${name || shown.length <= 60 ? shown : `${shown.slice(0, 57)}..."`}`;
          lines.push(`    ${p.name}: ${p.type}${def}${p.description ? `  — ${p.description}` : ""}`);
        }
        lines.push("");
      }
      io.stdout.write(lines.join("\n"));
    });
}
