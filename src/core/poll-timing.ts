/**
 * When to poll a rendering job next. The backoff (quick at first, then up to `pollMaxMs`) bounds how
 * late a finished render is seen; the provider's `progress` usually says better: a render at 50%
 * after 40 s will be done at about 80 s. Polling right after that instead of at the next backoff step
 * sees the video finished at once (a list walk refreshes every job, so a whole batch of renders
 * finishing together is seen together, right then).
 *
 * A poll never moves later than the backoff would have it, and never sooner than a fraction of the
 * backoff interval (half, unless the caller says otherwise): an estimate that is wrong (progress that
 * does not rise evenly) costs at most a few extra polls per interval, never a late one.
 */

/** A little after the estimated end, so the poll finds the video finished rather than at 99%. */
const AFTER_ESTIMATE_FRACTION = 0.02;

export interface RenderProgress {
  /** When the create was sent (our clock): the render cannot have started earlier. */
  startedAt: number | null;
  /** The provider's progress, 0..100. */
  progress: number;
}

/** The floor of a poll that reads one job's status: half an interval. */
export const DEFAULT_FLOOR_FRACTION = 0.5;

export function nextPollAt(
  now: number,
  intervalMs: number,
  render: RenderProgress | null,
  floorFraction = DEFAULT_FLOOR_FRACTION,
): number {
  const backoff = now + intervalMs;
  if (!render || render.startedAt === null) return backoff;
  const { startedAt, progress } = render;
  const elapsed = now - startedAt;
  if (progress <= 0 || progress >= 100 || elapsed <= 0) return backoff;
  // Counted from before the create was sent, the estimate errs late (by the create's round trip),
  // and a progress the provider rounds down errs late too: the poll lands after the end, not before.
  const total = (elapsed * 100) / progress;
  const expectedEnd = startedAt + total * (1 + AFTER_ESTIMATE_FRACTION);
  return Math.round(Math.min(backoff, Math.max(now + intervalMs * floorFraction, expectedEnd)));
}
