// The `lmx` process: runs the CLI with the real streams and ends quietly when stdout is closed early.
import { main } from "./main.ts";
import { exitQuietlyOnEpipe } from "./exit-on-epipe.ts";

exitQuietlyOnEpipe(process.stdout);
process.exitCode = await main(process.argv);
