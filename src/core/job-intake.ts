/**
 * Turns a generate or remix command into a job: the command's idempotency key (a platform's retry
 * makes no second job), the request checked and prepared (image fitted, remix source found), the job
 * created, its first status message posted, and the queue woken.
 */
import type { ProviderCapabilities } from '../sora/capabilities.js';
import type { BudgetBook, Reservation } from './budget-book.js';
import { cheaperOption, refusalMessage } from './budget-replies.js';
import type { CoreContext } from './core-context.js';
import type { CommandOutcome, CommandRequest } from './core-options.js';
import type { Job, JobRequest } from './job.js';
import type { JobAnnouncer } from './job-announcer.js';
import { prepareGenerate, prepareRemix } from './job-request.js';
import { type BotMessage, toJobView } from './messages.js';
import { publicDetail } from './public-text.js';
import { failureMessage, notice } from './replies.js';
import type { Requester } from './requester.js';
import { SurfaceError } from './surface.js';

/** How long a command's first delivery may take to create its job before a repeat may try again. */
const PENDING_IDEMPOTENCY_MS = 60_000;

export interface IntakeHooks {
  /** The job a requester may see (same workspace, not deleted): a remix's source. */
  visibleJob(requester: Requester, jobId: string): Promise<Job | undefined>;
  /** A job joined the queue. */
  onQueued(): void;
}

export class JobIntake {
  constructor(
    private readonly ctx: CoreContext,
    private readonly capabilities: ProviderCapabilities,
    private readonly announcer: JobAnnouncer,
    private readonly hooks: IntakeHooks,
    private readonly budgets: { book: BudgetBook },
  ) {}

  async accept(requester: Requester, request: CommandRequest): Promise<CommandOutcome> {
    const { ledger, clock, settings } = this.ctx;
    const intent = request.intent;
    if (intent.kind !== 'generate' && intent.kind !== 'remix') throw new Error('not a job intent');
    const key = request.idempotencyKey;
    let token = '';
    if (key) {
      const claim = await ledger.claimIdempotency(key, PENDING_IDEMPOTENCY_MS);
      if ('existing' in claim) return this.duplicateOutcome(key, claim.existing);
      token = claim.token;
    }
    try {
      const prepared =
        intent.kind === 'remix'
          ? prepareRemix(
              intent,
              await this.hooks.visibleJob(requester, intent.jobId),
              clock.now(),
              this.capabilities,
            )
          : await prepareGenerate(this.ctx, this.capabilities, intent, request.attachment);
      if ('reply' in prepared) {
        if (key) await ledger.releaseIdempotency(key, token);
        return reply(prepared.reply);
      }
      const now = clock.now();
      const reserved = await this.reserve(requester, prepared.request, now);
      if ('reply' in reserved) {
        if (key) await ledger.releaseIdempotency(key, token);
        return reply(reserved.reply);
      }
      const { id, reservation } = reserved;
      const approvalAbove = this.budgets.book.settings.approvalAbove;
      const needsApproval =
        approvalAbove !== null && reservation.micros > approvalAbove && !requester.isAdmin;
      const created = await ledger.createWithId(id, {
        state: 'accepted',
        requester,
        channel: request.channel,
        conversation: request.conversation,
        request: prepared.request,
        idempotencyKey: key ?? null,
        createdAt: now,
        updatedAt: now,
        cost: reservation,
        approval: needsApproval ? { state: 'pending', requestedAt: now } : null,
      });
      if (!created) {
        // Another job drew this id between the reservation and the create: give the money back.
        await this.budgets.book.refundUncreated(id, requester, prepared.request.model, reservation, now);
        throw new Error('job id collision; please try again');
      }
      let job = created;
      if (key) await ledger.bindIdempotency(key, token, job.id, settings.idempotencyTtlMs);
      this.ctx.logger.info({ jobId: job.id, kind: prepared.request.kind }, 'job accepted');
      try {
        job = await this.announcer.announceNew(job, request.announce);
      } catch (error) {
        const failed = await ledger.transition(job.id, clock.now(), (j) =>
          j.state === 'accepted'
            ? {
                state: 'failed',
                failure: { code: 'delivery_failed', message: surfaceMessage(error), requestId: null },
              }
            : undefined,
        );
        this.ctx.logger.warn({ jobId: job.id, err: error }, 'could not post the status message');
        // Nothing was spent yet: say only what the platform refused and how to fix it.
        return reply({ ...failureMessage(failed.job ?? job), text: surfaceMessage(error), hint: null });
      }
      this.hooks.onQueued();
      return { kind: 'job', job: toJobView(job), duplicate: false };
    } catch (error) {
      if (key) await ledger.releaseIdempotency(key, token);
      throw error;
    }
  }

  /** Reserves the estimate against every budget, or says which budget refused and what would fit. */
  private async reserve(
    requester: Requester,
    request: JobRequest,
    now: number,
  ): Promise<{ id: string; reservation: Reservation } | { reply: BotMessage }> {
    const { book } = this.budgets;
    const cost = book.estimate(request);
    const id = this.ctx.ledger.drawId();
    const outcome = await book.reserve(id, requester, request, cost, now);
    if (outcome.ok) return { id, reservation: outcome.reservation };
    this.ctx.logger.info({ budget: outcome.budget.name, cost, user: requester.user }, 'refused by a budget');
    const left = Math.max(0, (outcome.budget.limit ?? 0) - outcome.budget.used);
    const cheaper =
      outcome.budget.name === 'pending'
        ? null
        : cheaperOption(request, left, this.capabilities, (r) => book.estimate(r));
    return { reply: refusalMessage(outcome.budget, cost, now, cheaper) };
  }

  private async duplicateOutcome(key: string, existingId: string): Promise<CommandOutcome> {
    // The first delivery may still be creating its job (downloading an image, posting the status
    // message): wait for it to bind the key, so the duplicate answers with the same job.
    let id = existingId;
    for (let i = 0; i < 250 && id === ''; i++) {
      await new Promise((r) => setTimeout(r, 20));
      id = await this.ctx.ledger.idempotentJobId(key);
    }
    const job = id ? await this.ctx.ledger.get(id) : undefined;
    if (!job) return reply(notice('Already working on that request.', 'info'));
    return { kind: 'job', job: toJobView(job), duplicate: true };
  }
}

function reply(message: BotMessage): CommandOutcome {
  return { kind: 'reply', message };
}

function surfaceMessage(error: unknown): string {
  if (error instanceof SurfaceError) return error.userMessage;
  // Not written for people (a socket or file error): the details are in the log.
  return (
    publicDetail(error instanceof Error ? error.message : String(error)) ??
    "I couldn't post the status message here. Try again in a minute."
  );
}
