import { open, stat } from "node:fs/promises";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { loadNodeLlamaCpp } from "./load-node-llama-cpp.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";

/** A loaded model, shared by every LM on the same file; `release` frees it after its last user. */
export interface ModelHandle {
  llama: Llama;
  model: LlamaModel;
  release(): Promise<void>;
}

interface Shared<T> {
  value: Promise<T>;
  users: number;
}

/** One Llama per GPU setting for the process: it holds no model memory and takes seconds to start. */
const llamas = new Map<string, Promise<Llama>>();
const models = new Map<string, Shared<LlamaModel>>();
/** llama.cpp's recent error lines: its loader says why a file failed only through the log. */
const recentErrors: string[] = [];

/**
 * Loads (or reuses) the model at `path`: one Llama per GPU setting and one model per file in this
 * process, freed when its last user releases it. A missing file or a file llama.cpp rejects is a ConfigurationError naming the file.
 */
export async function acquireModel(options: { path: string; gpu?: boolean }): Promise<ModelHandle> {
  const gpu = options.gpu ?? false;
  const llamaKey = gpu ? "gpu" : "cpu";
  const modelKey = `${llamaKey}:${options.path}`;
  let starting = llamas.get(llamaKey);
  if (!starting) {
    starting = loadLlama(gpu);
    llamas.set(llamaKey, starting);
    starting.catch(() => llamas.delete(llamaKey));
  }
  const llama = await starting;
  const model = await share(models, modelKey, () => loadModel(llama, options.path));
  let released = false;
  return {
    llama,
    model,
    async release() {
      if (released) return;
      released = true;
      await unshare(models, modelKey, (m) => m.dispose());
    },
  };
}

async function share<T>(map: Map<string, Shared<T>>, key: string, create: () => Promise<T>): Promise<T> {
  let entry = map.get(key);
  if (!entry) {
    entry = { value: create(), users: 0 };
    map.set(key, entry);
    // A failed load is forgotten so that the next call tries again.
    entry.value.catch(() => map.get(key) === entry && map.delete(key));
  }
  entry.users++;
  try {
    return await entry.value;
  } catch (error) {
    entry.users--;
    throw error;
  }
}

async function unshare<T>(
  map: Map<string, Shared<T>>,
  key: string,
  dispose: (value: T) => Promise<void>,
): Promise<void> {
  const entry = map.get(key);
  if (!entry || --entry.users > 0) return;
  map.delete(key);
  await dispose(await entry.value);
}

async function loadLlama(gpu: boolean): Promise<Llama> {
  const { getLlama, LlamaLogLevel } = await loadNodeLlamaCpp();
  try {
    // build "never": lmx uses the prebuilt binary and never compiles llama.cpp on a user's machine.
    return await getLlama({
      gpu: gpu ? "auto" : false,
      build: "never",
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
          recentErrors.push(message.trim());
          if (recentErrors.length > 8) recentErrors.shift();
        } else if (level === LlamaLogLevel.warn) process.stderr.write(`[llama.cpp] ${message.trimEnd()}\n`);
      },
    });
  } catch (error) {
    throw new ConfigurationError(`cannot start llama.cpp: ${errorText(error)}`, { cause: error });
  }
}

async function loadModel(llama: Llama, path: string): Promise<LlamaModel> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ConfigurationError(`model file not found: ${path}`);
  if (!info.isFile()) throw new ConfigurationError(`model path is not a file: ${path}`);
  // Checked here because llama.cpp's own complaint quotes the file's first bytes, and the proxy lets clients name any path.
  const magic = await hasGgufMagic(path).catch((error) => {
    throw new ConfigurationError(
      `cannot read model file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      { cause: error },
    );
  });
  if (!magic) throw new ConfigurationError(`${path} is not a GGUF model file`);
  recentErrors.length = 0;
  try {
    return await llama.loadModel({ modelPath: path });
  } catch (error) {
    // llama.cpp's log lines reach us asynchronously, sometimes after the failure itself: wait for them briefly.
    for (
      let waited = 0;
      waited < 1000 && !recentErrors.some((line) => line.includes("error loading model"));
      waited += 20
    )
      await new Promise((resolve) => setTimeout(resolve, 20));
    const logged = recentErrors.find((line) => line.includes("error loading model")) ?? recentErrors[0];
    const reason = logged ? `${errorText(error)} (${logged.replace(/^llama_model_load: /, "")})` : errorText(error);
    throw new ConfigurationError(`cannot load model ${path}: ${reason}`, { cause: error });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function hasGgufMagic(path: string): Promise<boolean> {
  const file = await open(path, "r");
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return bytesRead === 4 && head.toString("latin1") === "GGUF";
  } finally {
    await file.close();
  }
}
