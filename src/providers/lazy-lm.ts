import type { Capabilities, LM } from "../core/types.ts";

/**
 * An LM whose implementation is loaded on first use, so naming a model (in a spec, a config, the
 * CLI) never pays for loading SDKs or native libraries it will not call.
 */
export function lazyLM(id: string, capabilities: Capabilities, load: () => Promise<LM>): LM & { load(): Promise<LM> } {
  let loading: Promise<LM> | undefined;
  const get = () =>
    (loading ??= load().catch((error) => {
      loading = undefined;
      throw error;
    }));
  return {
    id,
    capabilities,
    load: get,
    complete: async (request, ctx) => (await get()).complete(request, ctx),
    async *stream(request, ctx) {
      yield* (await get()).stream(request, ctx);
    },
  };
}
