/**
 * The buttons on a job's messages: Cancel on the status message (while it waits, is sent or renders),
 * Retry on a failure (the same request, as a new job) and Again on a delivered video (the same prompt
 * and options, a new render). Every press reads the job again from the ledger, so the buttons work
 * after a restart and on any replica, and a second press of the same button changes nothing:
 * - Cancel is a delete (`deleted` with `cancelledAt`) written by compare-and-set whatever step the job
 *   is in, so the machinery that makes delete win every race (delete-job.ts) covers it: a waiting job
 *   is never sent, even by a submission racing the press (the scheduler writes `submitStartedAt` only
 *   on a job still `waiting`); a render already at Sora is deleted there; the budget reservation is
 *   settled by the usual rule (refunded when nothing reached Sora). A second press finds it cancelled.
 * - Retry and Again create the new job through the intake with the idempotency key `retry:ID` /
 *   `again:ID`, so a double click makes one job, and each new job carries its own buttons.
 * Who may: Cancel and Retry the requester or an admin; Again anyone who may see the video (it is their
 * render, on their budget, like a remix). Anyone else is told privately and nothing changes.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CoreContext } from './core-context.js';
import type { CommandOutcome } from './core-options.js';
import { cleanupDeletedJob } from './delete-job.js';
import type { Attachment, GenerateIntent, RemixIntent } from './intents.js';
import { type FailureCode, isTerminal, type Job } from './job.js';
import type { JobIntake } from './job-intake.js';
import type { Action, BotMessage, FailureMessage, StatusMessage, StatusPhase } from './messages.js';
import { mentionFor } from './notify-settings.js';
import { canDelete, canSee } from './policy.js';
import { failureMessage, noSuchVideo, notice } from './replies.js';
import { type Requester, sameWorkspace } from './requester.js';

/** Phases in which the status message offers Cancel (afterwards the video exists and Delete applies). */
const CANCELLABLE: ReadonlySet<StatusPhase> = new Set(['approval', 'queued', 'submitting', 'rendering']);

/** Failures the same request would meet again: the hint says what to change instead of Retry. */
const NOT_RETRIED: ReadonlySet<FailureCode> = new Set(['moderation_blocked', 'image_invalid']);

export function statusControls(jobId: string, phase: StatusPhase): Action[] {
  return CANCELLABLE.has(phase) ? [{ kind: 'cancel', jobId, label: 'Cancel' }] : [];
}

export function cancelledFacts(job: Job): NonNullable<StatusMessage['cancelled']> {
  return { by: job.deletedBy, sent: job.submitStartedAt !== null || job.providerVideoId !== null };
}

/** The failure message as posted in the thread: the requester mentioned, and Retry where it may help. */
export async function failureReport(ctx: CoreContext, job: Job): Promise<FailureMessage> {
  const code = job.failure?.code ?? 'provider_error';
  return {
    ...failureMessage(job),
    mention: await mentionFor(ctx, job),
    actions: NOT_RETRIED.has(code) ? [] : [{ kind: 'retry', jobId: job.id, label: 'Retry' }],
  };
}

/** Posts the failure in the job's thread; a platform error is logged (the status message says it too). */
export async function postFailure(ctx: CoreContext, job: Job): Promise<void> {
  const surface = ctx.surfaces.forConversation(job.conversation);
  if (!surface) return;
  try {
    await surface.post(job.conversation, await failureReport(ctx, job));
  } catch (error) {
    ctx.logger.warn({ jobId: job.id, err: error }, 'could not report the failure in the thread');
  }
}

export interface ControlDeps {
  intake: JobIntake;
  /** Edits the status message of a job that was just cancelled. */
  reportCancelled(job: Job): Promise<void>;
}

export class JobControls {
  constructor(
    private readonly ctx: CoreContext,
    private readonly deps: ControlDeps,
  ) {}

  async run(r: Requester, action: 'cancel' | 'retry' | 'again', jobId: string): Promise<BotMessage> {
    const job = await this.ctx.ledger.get(jobId);
    // A cancelled job is still found, so a second press hears "already cancelled", not "no such video".
    if (job && job.cancelledAt !== null && sameWorkspace(r, job.requester)) return alreadyCancelled(job);
    if (!job || !canSee(r, job)) return noSuchVideo(jobId);
    if (action === 'cancel') return this.cancel(r, job);
    return this.repeat(r, job, action);
  }

  private async cancel(r: Requester, job: Job): Promise<BotMessage> {
    const { ledger, clock, logger } = this.ctx;
    if (!canDelete(r, job))
      return notice(`Only the person who asked for \`${job.id}\` or an admin can cancel it.`, 'warning');
    const now = clock.now();
    const by = r.displayName ?? r.user;
    const result = await ledger.transition(job.id, now, (j) =>
      isTerminal(j.state)
        ? undefined
        : { state: 'deleted', deletedAt: now, deletedBy: by, cancelledAt: now, cleanupDoneAt: null },
    );
    if (!result.job) return noSuchVideo(job.id);
    if (!result.changed) return endedAlready(result.job);
    const cancelled = result.job;
    logger.info({ jobId: job.id, by: r.user }, 'job cancelled');
    // Removes the render at Sora when there is one; a create still on its way is deleted by its
    // submitter as soon as Sora answers (submission-scheduler.ts), then cleaned up the same way.
    await cleanupDeletedJob(this.ctx, job.id);
    await this.deps.reportCancelled(cancelled);
    return notice(
      cancelledFacts(cancelled).sent
        ? `Cancelled \`${job.id}\`: the render is stopped at Sora.`
        : `Cancelled \`${job.id}\` before it was sent: nothing was spent.`,
      'success',
    );
  }

  private async repeat(r: Requester, job: Job, action: 'retry' | 'again'): Promise<BotMessage> {
    if (action === 'retry') {
      if (job.state !== 'failed')
        return notice(`\`${job.id}\` didn't fail, so there is nothing to retry.`, 'info');
      if (!canDelete(r, job))
        return notice(`Only the person who asked for \`${job.id}\` or an admin can retry it.`, 'warning');
    } else if (job.state !== 'delivered')
      return notice(`\`${job.id}\` isn't delivered yet: Again makes a finished video once more.`, 'info');
    const source = await repeatedRequest(job);
    if ('reply' in source) return source.reply;
    const outcome: CommandOutcome = await this.deps.intake.accept(r, {
      requester: r,
      channel: job.channel,
      conversation: job.conversation,
      intent: source.intent,
      attachment: source.attachment,
      // One new job per button, however often it is pressed (and on whichever replica).
      idempotencyKey: `${action}:${job.id}`,
    });
    if (outcome.kind === 'reply') return outcome.message;
    const made = outcome.job.id;
    return outcome.duplicate
      ? notice(
          `Already started: \`${made}\` is ${action === 'retry' ? 'the retry' : 'the new render'} of \`${job.id}\`.`,
          'info',
        )
      : notice(`Started \`${made}\`, the same request as \`${job.id}\`.`, 'success');
  }
}

/** What the new job asks for: the source's own request, its picture read back from DATA_DIR. */
async function repeatedRequest(
  job: Job,
): Promise<{ intent: GenerateIntent | RemixIntent; attachment: Attachment | null } | { reply: BotMessage }> {
  const r = job.request;
  if (r.kind === 'remix') {
    if (!r.remixOf)
      return { reply: notice(`\`${job.id}\` can't be made again: its source is unknown.`, 'warning') };
    return { intent: { kind: 'remix', jobId: r.remixOf, prompt: r.prompt }, attachment: null };
  }
  const intent: GenerateIntent = {
    kind: 'generate',
    prompt: r.prompt,
    seconds: r.seconds,
    size: r.size,
    model: r.model,
    // The stored picture is already fitted to `size`: fitting it again keeps it as it is, and a frame
    // the picture chose is chosen the same way again.
    autoSize: r.sizeFrom === 'image',
    fit: r.fit,
  };
  if (!r.imagePath) return { intent, attachment: null };
  const path = r.imagePath;
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile())
    return {
      reply: notice(
        `The picture \`${job.id}\` was made from is no longer kept: send the command again with the image attached.`,
        'warning',
      ),
    };
  return {
    intent,
    attachment: {
      filename: basename(path),
      contentType: 'image/png',
      bytes: info.size,
      fetch: async () => new Uint8Array(await readFile(path)),
    },
  };
}

function alreadyCancelled(job: Job): BotMessage {
  return notice(
    `\`${job.id}\` is already cancelled${job.deletedBy ? ` (by ${job.deletedBy})` : ''}.`,
    'info',
  );
}

function endedAlready(job: Job): BotMessage {
  switch (job.state) {
    case 'delivered':
      return notice(`\`${job.id}\` is already delivered: its Delete button removes it.`, 'info');
    case 'failed':
      return notice(`\`${job.id}\` already ended: it failed, so nothing is rendering.`, 'info');
    default:
      return job.cancelledAt !== null ? alreadyCancelled(job) : notice(`\`${job.id}\` was deleted.`, 'info');
  }
}
