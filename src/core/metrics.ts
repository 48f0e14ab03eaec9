/**
 * What the core reports for monitoring, as a port: the core calls these at the moments they describe
 * and src/metrics turns them into Prometheus series. The core imports no metrics library, and without
 * metrics (tests, the CLI, METRICS=off) the calls go to NO_METRICS, which does nothing.
 *
 * Each call is made by the process that did the step, so on several replicas every replica reports its
 * own share (Prometheus sums them). Times are in milliseconds from the job's own timestamps.
 */
import type { FailureCode, JobState } from './job.js';

export interface CoreMetrics {
  /** A job reached the provider; `waitMs` from accepted to submitted (the team queue's wait). */
  jobSubmitted(waitMs: number): void;
  /** The provider finished a render; `renderMs` from submitted to completed. */
  renderCompleted(renderMs: number): void;
  /**
   * A video was posted in its conversation: `completionToDeliveryMs` from the provider's completion to
   * the post, `bytes` the video uploaded (0 when a resumed delivery found the post already made).
   */
  videoDelivered(platform: string, completionToDeliveryMs: number, bytes: number): void;
  /** A job moved into a terminal state (its failure code when it failed). */
  jobFinished(state: JobState, failure: FailureCode | null): void;
  /** A budget reservation was settled: charged (spend) or refunded, in micro-dollars. */
  budgetSettled(outcome: 'charged' | 'refunded', micros: number): void;
}

export const NO_METRICS: CoreMetrics = {
  jobSubmitted() {},
  renderCompleted() {},
  videoDelivered() {},
  jobFinished() {},
  budgetSettled() {},
};
