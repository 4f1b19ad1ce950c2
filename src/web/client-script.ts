import { readFileSync } from "node:fs";

const cache = new Map<string, string>();

/**
 * The text of a browser script under `client/`, inlined into pages so they need no other files.
 * `</script` is escaped so the text cannot end its element early.
 */
export function clientScript(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./client/${name}`, import.meta.url), "utf8").replace(/<\/script/gi, "<\\/script");
    cache.set(name, text);
  }
  return text;
}
