import type { JobsOptions } from "bullmq";

/**
 * Every eval job's options: a few attempts with backoff (a store or model hiccup), removed once done
 * (the results store is the record; Redis does not grow with finished work), failed ones kept a
 * bounded while so the submitter can report why.
 */
export const EVAL_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: "exponential", delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: { count: 1_000, age: 24 * 3600 },
};

/**
 * Stalled-job detection: a worker renews its lock every lockMs / 2; a job whose lock lapsed (its
 * worker was killed) goes back to waiting at the next stalled check, so another worker takes it
 * within about lockMs + stalledIntervalMs. A job that stalls this many times fails.
 */
export const DEFAULT_LOCK_MS = 10_000;
export const DEFAULT_STALLED_INTERVAL_MS = 5_000;
export const MAX_STALLED_COUNT = 3;
