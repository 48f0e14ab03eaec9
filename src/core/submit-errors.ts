/**
 * What a failed create or remix means for the job, at the deployment it was sent to:
 * - a 429 created nothing: that deployment pauses (on every replica) as long as it asked, and the job
 *   goes back to the queue with a new key (in a pool, to any deployment with room);
 * - a refused key (401/403) in a pool of several created nothing either: the job goes back to the
 *   queue and the others take it (the breaker takes that deployment out after a few);
 * - a 5xx, a timeout or a dropped connection may have created the render: the job keeps its
 *   deployment, key and slot, and the next attempt adopts the render or repeats the key there;
 * - anything else fails the job.
 */
import type { SoraError } from '../sora/errors.js';
import type { Deployment } from '../sora/pool/deployment-pool.js';
import type { Fence } from '../store/store.js';
import type { CoreContext } from './core-context.js';
import type { RoutingPass } from './deployment-router.js';
import type { FailureCode, Job } from './job.js';
import { failureCodeOf } from './provider-outcomes.js';

const MAX_SUBMIT_ATTEMPTS = 8;

export type Verdict =
  | { kind: 'wait' }
  | { kind: 'retry' }
  | { kind: 'fail'; failure: { code: FailureCode; message: string; requestId: string | null } };

export async function afterSubmitError(
  ctx: CoreContext,
  job: Job,
  error: SoraError,
  fence: Fence,
  sentAt: number,
  d: Deployment,
  pass: RoutingPass,
): Promise<Verdict> {
  const { ledger, clock, logger, pool } = ctx;
  const store = ledger.store;
  const now = clock.now();
  const log = logger.child({ jobId: job.id, deployment: d.name });
  const several = pool.deployments.length > 1;
  // A 429 created nothing; neither did a refused key, which another deployment may not share.
  const refused = error.code === 'auth' || error.code === 'permission';
  if (error.code === 'rate_limited' || (refused && several)) {
    // Back-pressure: every replica leaves this deployment alone as long as it asked; the next attempt
    // uses a new key (this one's answer, the 429, may be what the provider replays).
    const waitMs = error.retryAfterMs ?? 10_000;
    if (!refused) {
      await store.set(d.keys.pausedUntil, now + waitMs, waitMs);
      pass.paused(d, now + waitMs);
    } else pass.skip(d);
    await store.returnToWindow(d.keys.window, sentAt);
    await store.releaseSlot(d.keys.slots, job.id);
    pass.released(d);
    await ledger.transition(
      job.id,
      now,
      (j) =>
        j.state === 'waiting'
          ? {
              submitStartedAt: null,
              deployment: null,
              // Alone, the job waits with its deployment; in a pool another may take it at once.
              notBefore: several ? null : now + waitMs,
              submitKeyGeneration: j.submitKeyGeneration + 1,
            }
          : undefined,
      fence,
    );
    log.info({ waitMs, code: error.code }, 'deployment refused the job; it stays queued');
    return { kind: 'wait' };
  }
  const transient = error.code === 'server' || error.code === 'network' || error.code === 'timeout';
  // A 2xx we could not read may still have started a render: one more look (adopt it from the list,
  // or repeat the same key, which the provider answers with that job), never a blind series.
  const unreadable = error.code === 'invalid_response' && job.submitAttempts < 2;
  if ((transient && job.submitAttempts < MAX_SUBMIT_ATTEMPTS) || unreadable) {
    // The deployment may have made the job: keep `submitStartedAt`, the deployment and its slot (the
    // next attempt adopts it or repeats the same key there; it moves only once that one is certain).
    const backoff = Math.min(5 * 60_000, 2_000 * 2 ** (job.submitAttempts - 1));
    await ledger.transition(
      job.id,
      now,
      (j) => (j.state === 'waiting' ? { notBefore: now + backoff } : undefined),
      fence,
    );
    log.warn({ code: error.code, backoff }, 'submission failed; will retry');
    return { kind: 'retry' };
  }
  log.warn(
    { code: error.code, providerCode: error.providerCode, requestId: error.requestId },
    'submission rejected',
  );
  return {
    kind: 'fail',
    failure: { code: failureCodeOf(error), message: error.message, requestId: error.requestId },
  };
}
