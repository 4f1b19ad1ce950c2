import { ConfigurationError } from "../../core/errors/configuration-error.ts";

type NodeLlamaCpp = typeof import("node-llama-cpp");

let loaded: NodeLlamaCpp | undefined;
let loading: Promise<NodeLlamaCpp> | undefined;

/**
 * node-llama-cpp is an optional dependency (its prebuilt binaries are most of a full install), so it is
 * imported on first use; when it is absent the error names the package to install.
 */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  loading ??= import("node-llama-cpp").then(
    (module) => (loaded = module),
    (error: NodeJS.ErrnoException) => {
      loading = undefined;
      if (error?.code === "ERR_MODULE_NOT_FOUND" && /node-llama-cpp/.test(String(error.message)))
        throw new ConfigurationError(
          "llama: models need the optional package node-llama-cpp: run `npm install node-llama-cpp`",
          { cause: error },
        );
      throw error;
    },
  );
  return loading;
}

/** The module once `loadNodeLlamaCpp` has resolved (every model handle is made after it has). */
export function loadedNodeLlamaCpp(): NodeLlamaCpp {
  if (!loaded) throw new Error("node-llama-cpp used before loadNodeLlamaCpp()");
  return loaded;
}
