/**
 * Test helper process: opens the results file at argv[2], waits until the time argv[3] (ms since
 * the epoch) so that several such processes ask at once, and prints the file's identity.
 */
import { EvalStore } from "../eval-store.ts";

const store = EvalStore.open({ path: process.argv[2]! });
await new Promise((r) => setTimeout(r, Math.max(0, Number(process.argv[3]) - Date.now())));
process.stdout.write(`${await store.identity()}\n`);
await store.close();
