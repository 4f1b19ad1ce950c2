import { UnrecoverableError } from "bullmq";
import type { EvalStore } from "../eval-store.ts";
import type { EvalJob } from "./eval-job.ts";

/**
 * Refuses a job whose submitter follows another results store than the worker saves to: its
 * results would never reach the submitter, which would wait for them forever. Unrecoverable, so the
 * submitter stops at once with this reason; nothing is evaluated. Jobs queued by an lmx from before
 * the check name no store and pass, as before.
 */
export async function checkJobStore(job: EvalJob, store: EvalStore): Promise<void> {
  if (!job.store) return;
  const id = await store.identity();
  if (id === job.store.id) return;
  // One name, two stores: files of one path on two machines, or two databases behind one host name.
  const twin = job.store.where === store.path ? ", another store of the same name" : "";
  throw new UnrecoverableError(
    `this worker saves results to ${store.path} (store ${id}), but the submitter reads ${job.store.where} (store ${job.store.id}${twin}), so it would never see them: point both at the same store (the same LMX_STORE or "store" database, or the same --results file)`,
  );
}
