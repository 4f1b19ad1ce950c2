/**
 * The `store` setting as an entry point reads it (the CLI, `lmx serve`): `LMX_STORE`, else the
 * config's `store`; undefined keeps the SQLite files. Pass the result to openStores.
 */
export function storeUrl(options: { env: NodeJS.ProcessEnv; config: { store?: string } }): string | undefined {
  return options.env.LMX_STORE?.trim() || options.config.store?.trim() || undefined;
}
