/**
 * The team queue: submits waiting jobs in fair order to a deployment of the pool with free capacity
 * (deployment-router.ts), never past a deployment's jobs at once nor its job requests a minute
 * (SORA_MAX_CONCURRENT / SORA_RPM, or its SORA_POOL entry's), counted for the whole cluster in the
 * store (slots and a sliding window), so replicas share the quotas. A 429 pauses that deployment on
 * every replica. A remix goes to the deployment holding its source video.
 *
 * A job is submitted under its `submit` lease, and every write that records the outcome is fenced by
 * it. `submitStartedAt` is written before the create call and the create carries an Idempotency-Key
 * derived from the job (`sora-bot-ID-N`): after a crash, a 5xx or a timeout the next attempt first
 * looks for the provider's job (adopts it) and otherwise repeats the same key, so a render is paid
 * for once. A job deleted while it was being sent is deleted at the provider as soon as its id is known.
 */

import { readFile } from 'node:fs/promises';
import { isSoraError } from '../sora/errors.js';
import type { Deployment } from '../sora/pool/deployment-pool.js';
import type { Video } from '../sora/video.js';
import type { Fence } from '../store/store.js';
import { lookForInterruptedRender, renderOfGoneSubmitter } from './adopt-render.js';
import { CandidateWalk } from './candidate-walk.js';
import type { CoreContext } from './core-context.js';
import { DeploymentRouter, deploymentOf, type RoutingPass, releaseSlots } from './deployment-router.js';
import { fairOrder } from './fair-order.js';
import { GoneSubmitters } from './gone-submitters.js';
import { HeldLease } from './held-lease.js';
import { AT_PROVIDER_STATES, type FailureCode, type Job } from './job.js';
import { LeaseLostError } from './job-ledger.js';
import { LruMap } from './lru-map.js';
import { QueueEstimates } from './queue-estimates.js';
import { recordSubmission } from './record-submission.js';
import { requesterKey } from './requester.js';
import type { QueueInfo } from './status-reporter.js';
import { afterSubmitError } from './submit-errors.js';

const IDLE_MS = 30_000;

/** Slots of jobs that left the provider without releasing them (a replica died) are returned this often. */
const RECONCILE_EVERY_MS = 15_000;

/** The running slots of the single provider (the implicit pool of one); deployments name theirs. */
export const PROVIDER_SLOTS = 'provider:running';

export interface SchedulerHooks {
  onSubmitted(job: Job): Promise<void>;
  onFailed(job: Job): Promise<void>;
  onQueueChanged(waiting: Job[]): Promise<void>;
  /** A job was deleted while its create was on the way; its render is known now: clean it up. */
  onDeletedInFlight(jobId: string): void;
}

/** `wait`: no deployment could take it in this pass (the pass knows when to look again). */
type Outcome = 'submitted' | 'busy' | 'skipped' | 'wait' | 'retry' | 'failed';

export class SubmissionScheduler {
  /** Per requester; bounded, since the people of every workspace pass through here over time. */
  private readonly lastServedAt = new LruMap<string, number>(10_000);
  private readonly estimates: QueueEstimates;
  private readonly deletedInFlight = new Set<string>();
  /** Jobs this replica submitted, reported once their lease is released (trySubmit). */
  private readonly submittedInFlight = new Map<string, Job>();
  private readonly goneSubmitters: GoneSubmitters;
  private nextReconcileAt = 0;
  private readonly router: DeploymentRouter;

  constructor(
    private readonly ctx: CoreContext,
    private readonly hooks: SchedulerHooks,
  ) {
    this.router = new DeploymentRouter(ctx);
    this.goneSubmitters = new GoneSubmitters((id) => renderOfGoneSubmitter(ctx, id, submitLease(id)));
    this.estimates = new QueueEstimates(ctx);
  }

  /** Jobs waiting at the end of the last pass. */
  waitingCount(): number {
    return this.estimates.count;
  }

  queueInfo(jobId: string): QueueInfo | undefined {
    return this.estimates.of(jobId);
  }

  /** Feeds the queue's time estimates with how long real renders took. */
  recordRenderDuration(ms: number): void {
    this.estimates.recordRenderDuration(ms);
  }

  /** One pass: submit what the caps allow; returns how long to sleep. */
  async tick(): Promise<number> {
    const { ledger, clock, settings } = this.ctx;
    const now = clock.now();
    if (now >= this.nextReconcileAt) {
      this.nextReconcileAt = now + RECONCILE_EVERY_MS;
      await this.reconcileSlots();
    }
    // A job waiting for an admin's approval is not in the queue until it is approved.
    const waiting = (await ledger.inStates(['waiting'])).filter((j) => j.approval?.state !== 'pending');
    const ordered = fairOrder(waiting, this.lastServedAt);
    const pass = await this.router.beginPass(now);
    let nextWake = IDLE_MS;
    const submitted = new Set<string>();
    const candidates = ordered.filter((job) => {
      if (!job.notBefore || job.notBefore <= now) return true;
      nextWake = Math.min(nextWake, job.notBefore - now);
      return false;
    });
    // Up to `submitConcurrency` creates in flight, launched in fair order while some deployment has
    // room; the slots, windows and pauses are atomic in the store, so parallel submissions (and
    // replicas) never overshoot. A job no deployment can take now (a remix whose source deployment is
    // full) keeps its place and the next one is tried.
    this.goneSubmitters.beginPass();
    const tally = (job: Job, outcome: Outcome) => {
      if (outcome === 'submitted') submitted.add(job.id);
      else if (outcome === 'retry' || outcome === 'busy') nextWake = Math.min(nextWake, 1_000);
    };
    const workers = Math.max(1, settings.submitConcurrency);
    // Creates under way for a while first, room or not (GoneSubmitters.stalled).
    const { stalled, due } = this.goneSubmitters.stalled(candidates, now);
    await Promise.all(
      Array.from({ length: Math.min(workers, due.length) }, async () => {
        for (let job = due.shift(); job; job = due.shift()) tally(job, await this.trySubmit(job, pass));
      }),
    );
    const walk = new CandidateWalk(
      candidates.filter((job) => !stalled.has(job)),
      (ids) => ledger.getMany(ids),
    );
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (pass.hasRoom()) {
          const job = await walk.take();
          if (!job) break;
          pass.dispatch(job.id);
          const outcome = await this.trySubmit(job, pass).finally(() => pass.settle(job.id));
          tally(job, outcome);
          if (outcome === 'busy' || outcome === 'skipped') walk.contended();
        }
      }),
    );
    if (pass.wakeMs !== null) nextWake = Math.min(nextWake, pass.wakeMs);
    nextWake = Math.min(nextWake, this.goneSubmitters.wakeMs() ?? nextWake);
    const stillWaiting = ordered.filter((j) => !submitted.has(j.id));
    this.estimates.update(stillWaiting, pass);
    await this.hooks.onQueueChanged(stillWaiting);
    return nextWake;
  }

  /**
   * A slot belongs to a job at its deployment or one being submitted. Slots of jobs that left (a
   * replica that died between the provider's answer and the release, a job moved elsewhere) are
   * returned here.
   */
  private async reconcileSlots(): Promise<void> {
    const { ledger } = this.ctx;
    for (const d of this.ctx.pool.deployments)
      for (const id of await ledger.store.slotHolders(d.keys.slots)) {
        const job = await ledger.get(id);
        const holds =
          job &&
          (((AT_PROVIDER_STATES.includes(job.state) ||
            (job.state === 'waiting' && job.submitStartedAt !== null)) &&
            deploymentOf(this.ctx, job).name === d.name) ||
            (await ledger.store.leaseHolder(submitLease(id))) !== undefined);
        if (!holds) await ledger.store.releaseSlot(d.keys.slots, id);
      }
  }

  private async trySubmit(job: Job, pass: RoutingPass): Promise<Outcome> {
    const { ledger, settings, instanceId, logger } = this.ctx;
    // Repeatable until the create: a replica that dies before it leaves the job to the next look,
    // with no grace to wait out (HeldLease.beginSideEffect keeps one from the create on).
    const held = await HeldLease.acquire(
      ledger.store,
      submitLease(job.id),
      instanceId,
      settings.submitLeaseMs,
      { repeatable: true },
    );
    if (!held) return this.adoptPastGoneSubmitter(job.id);
    try {
      return await this.submit(job.id, held, pass);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      // Another replica took the job over after our lease lapsed; it adopts what we may have created.
      logger.warn({ jobId: job.id }, 'submit lease lost; leaving the job to its new holder');
      return 'skipped';
    } finally {
      await held.release();
      await this.afterRelease(job.id);
    }
  }

  /**
   * What follows a submission, once its lease is free: the status edit is a platform call, not time
   * in which a dead replica's lease should bind (the submission is recorded; a successor has nothing
   * left to do), and a job deleted meanwhile is cleaned up.
   */
  private async afterRelease(id: string): Promise<void> {
    if (this.deletedInFlight.delete(id)) this.hooks.onDeletedInFlight(id);
    const submitted = this.submittedInFlight.get(id);
    if (!submitted) return;
    this.submittedInFlight.delete(id);
    await this.hooks.onSubmitted(submitted);
  }

  /**
   * Another replica holds the job's submit lease. If its process ended in the middle of the create,
   * what the create made is adopted now rather than after the lease's grace (adopt-render.ts). Looked
   * at again each second while the lease binds: a create sent just before the end may land late.
   */
  private async adoptPastGoneSubmitter(id: string): Promise<Outcome> {
    const found = await this.goneSubmitters.look(id);
    if (!found) return 'busy';
    this.ctx.logger.info(
      { jobId: id, videoId: found.video.id },
      'adopted the provider job of a submission whose replica is gone',
    );
    await this.ctx.ledger.store.acquireSlot(found.deployment.keys.slots, id, Number.POSITIVE_INFINITY);
    // No lease of ours to fence it: the write holds only while the job is at that same submission.
    const recorded = await this.recordSubmitted(id, found.video, undefined, found.deployment, found.job);
    await this.afterRelease(id);
    return recorded ? 'submitted' : 'skipped';
  }

  private async submit(id: string, held: HeldLease, pass: RoutingPass): Promise<Outcome> {
    const { ledger, clock, pool, logger } = this.ctx;
    const store = ledger.store;
    const log = logger.child({ jobId: id });
    const fresh = await ledger.get(id);
    if (fresh?.state !== 'waiting') return 'skipped';
    // Where it must go: the deployment an interrupted create went to (it may hold the render), or the
    // one holding a remix's source video; anywhere that can make it otherwise.
    let only: Deployment | undefined;
    let moved: Deployment | null | undefined;
    if (fresh.submitStartedAt) {
      const previous = pool.get(fresh.deployment);
      const look = previous
        ? await lookForInterruptedRender(this.ctx, fresh, previous.provider)
        : { unknown: false };
      if (previous && look.video) {
        log.info({ videoId: look.video.id }, 'adopted the provider job of an interrupted submission');
        // It is at the provider whatever the count says: hold its slot (a cap of Infinity).
        await store.acquireSlot(previous.keys.slots, id, Number.POSITIVE_INFINITY);
        await this.recordSubmitted(id, look.video, held.fence, previous);
        return 'submitted';
      }
      if (previous && !pass.isOut(previous))
        only = previous; // repeats the same key there
      else if (previous && look.unknown)
        return 'wait'; // it may hold the render: not elsewhere yet
      else moved = previous ?? null; // it certainly has none (or left the configuration)
    }
    if (!only && fresh.request.kind === 'remix') {
      only = await this.remixSource(fresh);
      if (!only)
        return this.failJob(fresh, held, {
          code: 'expired',
          message: 'the deployment that holds the source video is no longer configured',
          requestId: null,
        });
    }
    const now = clock.now();
    const placement = await pass.place(fresh, only, now);
    if (placement.kind === 'impossible')
      return this.failJob(fresh, held, {
        code: 'invalid_request',
        message: placement.message,
        requestId: null,
      });
    if (placement.kind === 'wait') return 'wait';
    const d = placement.deployment;
    if (moved) await store.releaseSlot(moved.keys.slots, id);
    const started = await ledger.transition(
      id,
      now,
      (j) =>
        j.state === 'waiting'
          ? {
              submitStartedAt: now,
              submitAttempts: j.submitAttempts + 1,
              deployment: pool.recordedName(d),
              // A new deployment never saw the old key; a fresh one also keeps the old from replaying.
              ...(moved !== undefined ? { submitKeyGeneration: j.submitKeyGeneration + 1 } : {}),
            }
          : undefined,
      held.fence,
    );
    if (!started.changed) {
      // Deleted (or taken elsewhere) since we looked: it is never sent.
      await store.releaseSlot(d.keys.slots, id);
      await store.returnToWindow(d.keys.window, now);
      pass.released(d);
      return 'skipped';
    }
    if (moved !== undefined) log.info({ deployment: d.name }, 'moved to another deployment');
    let video: Video;
    try {
      await held.beginSideEffect();
      video = await this.send(started.job, d);
    } catch (error) {
      if (!isSoraError(error)) throw error;
      const verdict = await afterSubmitError(this.ctx, started.job, error, held.fence, now, d, pass);
      return verdict.kind === 'fail' ? this.failJob(started.job, held, verdict.failure) : verdict.kind;
    }
    await this.recordSubmitted(id, video, held.fence, d);
    log.info(
      { videoId: video.id, attempt: started.job.submitAttempts, deployment: d.name },
      'submitted to the provider',
    );
    return 'submitted';
  }

  /** The deployment holding a remix's source video (the primary for sources made before pools). */
  private async remixSource(job: Job): Promise<Deployment | undefined> {
    const videoId = job.request.remixOfVideoId;
    const sourceId = videoId ? await this.ctx.ledger.jobOfVideo(videoId) : undefined;
    const source = sourceId ? await this.ctx.ledger.get(sourceId) : undefined;
    return this.ctx.pool.get(source?.deployment ?? null);
  }

  private async send(job: Job, deployment: Deployment): Promise<Video> {
    const { provider } = deployment;
    const r = job.request;
    const options = { idempotencyKey: createKey(job) };
    if (r.kind === 'remix') {
      if (!r.remixOfVideoId) throw new Error(`remix job ${job.id} has no source video`);
      return provider.remix(r.remixOfVideoId, r.prompt, options);
    }
    const image = r.imagePath
      ? {
          data: new Uint8Array(await readFile(r.imagePath)),
          contentType: 'image/png',
          filename: `${job.id}.png`,
        }
      : undefined;
    return provider.create(
      { prompt: r.prompt, model: r.model, seconds: r.seconds, size: r.size, ...(image ? { image } : {}) },
      options,
    );
  }

  /** Records the provider's job on ours (record-submission.ts); true when this call submitted it. */
  private async recordSubmitted(
    id: string,
    video: Video,
    fence: Fence | undefined,
    deployment: Deployment,
    submission?: Job,
  ): Promise<boolean> {
    const recorded = await recordSubmission(this.ctx, id, video, { fence, deployment, submission });
    if (recorded.kind === 'deleted') this.deletedInFlight.add(id);
    if (recorded.kind !== 'submitted') return false;
    this.lastServedAt.set(requesterKey(recorded.job.requester), recorded.job.updatedAt);
    this.submittedInFlight.set(id, recorded.job);
    return true;
  }

  /** Fails a waiting job for good; it holds no slot afterwards. */
  private async failJob(
    job: Job,
    held: HeldLease,
    failure: { code: FailureCode; message: string; requestId: string | null },
  ): Promise<Outcome> {
    const { ledger, clock } = this.ctx;
    await releaseSlots(this.ctx, job.id);
    const failed = await ledger.transition(
      job.id,
      clock.now(),
      (j) => (j.state === 'waiting' ? { state: 'failed', submitStartedAt: null, failure } : undefined),
      held.fence,
    );
    if (failed.changed) await this.hooks.onFailed(failed.job);
    return 'failed';
  }
}

export function submitLease(jobId: string): string {
  return `submit:${jobId}`;
}

/** The create's Idempotency-Key: stable across retries, new only after an answer that created nothing. */
export function createKey(job: Job): string {
  return `sora-bot-${job.id}-${job.submitKeyGeneration}`;
}
