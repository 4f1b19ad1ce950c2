import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

/** A file of real recorded samples in `../shared/replay/` (beside the checkout; CI has it, a fresh clone does not). */
export interface SharedReplay {
  /** Absolute path of the file, whether or not it exists. */
  path: string;
  /** false when the file is there, else the reason to pass as a test's `skip`. */
  skip: string | false;
  /** The file's JSON lines, or [] when it is absent. */
  records<T = Record<string, unknown>>(): T[];
  /** node:test's `test`, skipping with the reason when the file is absent. */
  test: typeof test;
}

const folder = new URL("../../../shared/replay/", import.meta.url);

/** Tests replaying real samples run when the data exists and are skipped, with one printed line, when it does not. */
export function sharedReplay(name: string): SharedReplay {
  const path = fileURLToPath(new URL(name, folder));
  const present = existsSync(path);
  const skip = present ? false : `../shared/replay/${name} is not beside this checkout`;
  if (skip) console.log(`skipped: tests replaying real samples (${skip})`);
  const skipping = ((name: string, a?: unknown, b?: unknown) =>
    typeof a === "function" || a === undefined
      ? test(name, { skip }, a as () => void)
      : test(name, { ...(a as object), skip }, b as () => void)) as typeof test;
  return {
    path,
    skip,
    records: <T>() =>
      present
        ? readFileSync(path, "utf8")
            .split("\n")
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as T)
        : [],
    test: present ? test : skipping,
  };
}
