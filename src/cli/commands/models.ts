import type { Command } from "commander";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { providerRegistry } from "../../providers/provider-registry.ts";
import { defaultModelSpec } from "../../providers/resolve-model.ts";
import { defaultModelsDir } from "../../providers/llama/resolve-model-file.ts";
import { loadConfig } from "../../config/load-config.ts";
import type { CliIO } from "../cli-io.ts";

export function configureModels(command: Command, program: Command, io: CliIO): void {
  command.option("--json", "print JSON").action(async (options: { json?: boolean }) => {
    const config = loadConfig({ path: program.opts().config });
    const modelsDir = config.providers.llama?.modelsDir ?? defaultModelsDir(config.env);
    const local = existsSync(modelsDir)
      ? readdirSync(modelsDir, { recursive: true })
          .map(String)
          .filter((f) => f.endsWith(".gguf"))
      : [];
    const info = {
      default: await defaultModelSpec(config),
      providers: providerRegistry.map((p) => ({
        name: p.name,
        example: `${p.name}:${p.example}`,
        description: p.description,
        capabilities: p.capabilities,
      })),
      endpoints: Object.entries(config.endpoints).map(([name, e]) => ({
        name,
        example: `${name}:<model>`,
        type: e.type,
        baseURL: e.baseURL,
      })),
      aliases: config.aliases,
      downloaded: local.map((f) => `llama:${join(modelsDir, f)}`),
    };
    if (options.json) return void io.stdout.write(JSON.stringify(info, null, 2) + "\n");
    const lines = [`default model: ${info.default}`, "", "providers:"];
    for (const p of info.providers) lines.push(`  ${p.example.padEnd(40)} ${p.description}`);
    if (info.endpoints.length) {
      lines.push("", "endpoints:");
      for (const e of info.endpoints) lines.push(`  ${e.example.padEnd(40)} ${e.type} at ${e.baseURL}`);
    }
    if (Object.keys(info.aliases).length) {
      lines.push("", "aliases:");
      for (const [name, spec] of Object.entries(info.aliases)) lines.push(`  ${name.padEnd(20)} ${spec}`);
    }
    if (info.downloaded.length) lines.push("", "downloaded models:", ...info.downloaded.map((m) => `  ${m}`));
    io.stdout.write(lines.join("\n") + "\n");
  });
}
