// Test helpers for code that runs training jobs (entry `@accrete/jobs/testing`, never imported by production code).
import type { JobStep, JobStepHook } from './execute-job.js';

export interface StepBarrier {
  /** Pass as the runner's `onStep`. */
  hook: JobStepHook;
  /** Resolves with the job id when the first job reaches the step (it then waits there). */
  reached: Promise<string>;
  /** Lets every held job go on. */
  release(): void;
}

/** Holds jobs at `step` until released, so a test can cancel or stop a job that is certainly running. */
export function stepBarrier(step: JobStep = 'prepared'): StepBarrier {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let reach!: (jobId: string) => void;
  const reached = new Promise<string>((r) => (reach = r));
  const hook: JobStepHook = async (jobId, at) => {
    if (at !== step) return;
    reach(jobId);
    await released;
  };
  return { hook, reached, release };
}
