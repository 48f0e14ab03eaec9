/**
 * Money in chat: `/sora budget` (see and, for admins, change limits), `/sora usage`, the approval of
 * jobs above SORA_APPROVAL_ABOVE, and the loop that settles every finished job's reservation and
 * expires approvals nobody answered.
 */
import type { BudgetBook } from './budget-book.js';
import { daysOf, monthPeriod, type Period, periodAt } from './budget-periods.js';
import { budgetSummary, limitChanged } from './budget-replies.js';
import type { CoreContext } from './core-context.js';
import type { BudgetIntent, UsageIntent } from './intents.js';
import type { Job } from './job.js';
import type { BotMessage } from './messages.js';
import { dollars } from './pricing.js';
import { noSuchVideo, notice } from './replies.js';
import { type Requester, sameWorkspace, workspaceKey } from './requester.js';
import { summarize, type UsageChartRenderer, usageMessage } from './usage-report.js';

/** An approval card nobody answered expires after a day (and its reservation is refunded). */
export const APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;

export interface DeskHooks {
  /** A job was approved: the queue may send it now. */
  onApproved(job: Job): Promise<void>;
  /** A job was denied or expired waiting: report its failure. */
  onDeclined(job: Job): Promise<void>;
}

export class BudgetDesk {
  constructor(
    private readonly ctx: CoreContext,
    readonly book: BudgetBook,
    private readonly hooks: DeskHooks,
    private readonly renderChart: UsageChartRenderer | undefined,
  ) {}

  async budget(r: Requester, intent: BudgetIntent): Promise<BotMessage> {
    const now = this.ctx.clock.now();
    if (!intent.change) return budgetSummary(await this.book.lines(r, now), now, this.book.settings.timeZone);
    if (!r.isAdmin)
      return notice('Only admins can change budgets. `/sora budget` shows what is left.', 'warning');
    const { target, period, dollars: amount, both } = intent.change;
    const ws = workspaceKey(r);
    const user = target.kind === 'person' ? target.user : null;
    const limit = amount === null ? null : dollars(amount);
    await this.book.setLimit(ws, user, period, limit);
    if (both) await this.book.setLimit(ws, user, period === 'day' ? 'month' : 'day', null);
    const lines = await this.book.lines({ ...r, user: user ?? r.user }, now);
    const line = lines.find((l) => l.name === (user ? `user-${period}` : 'workspace-month'));
    this.ctx.logger.info({ workspace: ws, user, period, limit, by: r.user }, 'budget changed');
    const who = user ? `@${user}` : 'the workspace';
    return limitChanged(who, period, limit, line?.used ?? 0, Boolean(both));
  }

  async usage(r: Requester, intent: UsageIntent): Promise<BotMessage> {
    const now = this.ctx.clock.now();
    const tz = this.book.settings.timeZone;
    const period: Period =
      intent.period.kind === 'day'
        ? periodAt('day', now, tz)
        : intent.period.year !== null && intent.period.month !== null
          ? monthPeriod(intent.period.year, intent.period.month, tz)
          : periodAt('month', now, tz);
    const entries = await this.book.entries(workspaceKey(r), period.startsAt, period.endsAt);
    // Days by binary search over the period's own days: an Intl call per entry would cost seconds
    // for a month of 100,000 entries.
    const days = daysOf(period, tz);
    const dayKeyOf = (at: number): string => {
      let lo = 0;
      let hi = days.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (days[mid]!.startsAt <= at) lo = mid;
        else hi = mid - 1;
      }
      return days[lo]?.key ?? periodAt('day', at, tz).key;
    };
    const summary = summarize(entries, r.user, dayKeyOf);
    return usageMessage({
      summary,
      period,
      timeZone: tz,
      isAdmin: r.isAdmin,
      render: this.renderChart,
      onChartError: (error) => this.ctx.logger.warn({ err: error }, 'usage chart could not be drawn'),
    });
  }

  /** Approve or Deny pressed on a job waiting for an admin. */
  async decide(r: Requester, jobId: string, approve: boolean): Promise<BotMessage> {
    const { ledger, clock } = this.ctx;
    const job = await ledger.get(jobId);
    if (!job || !sameWorkspace(r, job.requester) || job.state === 'deleted') return noSuchVideo(jobId);
    if (!r.isAdmin) return notice('Only admins can approve or deny videos.', 'warning');
    const now = clock.now();
    const by = r.displayName ?? r.user;
    const result = await ledger.transition(jobId, now, (j) =>
      j.approval?.state !== 'pending' || (j.state !== 'waiting' && j.state !== 'accepted')
        ? undefined
        : approve
          ? { approval: { ...j.approval, state: 'approved', decidedAt: now, decidedBy: by } }
          : {
              state: 'failed',
              approval: { ...j.approval, state: 'denied', decidedAt: now, decidedBy: by },
              failure: { code: 'approval_denied', message: `declined by ${by}`, requestId: null },
            },
    );
    if (!result.changed) {
      const state = result.job?.approval?.state;
      return notice(
        state && state !== 'pending'
          ? `Video \`${jobId}\` was already ${state}${result.job?.approval?.decidedBy ? ` by ${result.job.approval.decidedBy}` : ''}.`
          : `Video \`${jobId}\` isn't waiting for approval.`,
        'info',
      );
    }
    this.ctx.logger.info({ jobId, approve, by: r.user }, 'approval decided');
    if (approve) await this.hooks.onApproved(result.job);
    else await this.hooks.onDeclined(result.job);
    return notice(
      approve ? `Approved: video \`${jobId}\` is in the queue.` : `Denied: video \`${jobId}\` won't be made.`,
      'success',
    );
  }

  /** Settles finished jobs' reservations, expires approvals nobody answered; returns the next wait. */
  async tick(): Promise<number> {
    const { ledger, clock, logger } = this.ctx;
    const now = clock.now();
    for (const job of await ledger.pendingApprovals()) {
      if (now - (job.approval?.requestedAt ?? now) < APPROVAL_TTL_MS) continue;
      const result = await ledger.transition(job.id, now, (j) =>
        j.approval?.state === 'pending' && (j.state === 'waiting' || j.state === 'accepted')
          ? {
              state: 'failed',
              approval: { ...j.approval, state: 'expired', decidedAt: now },
              failure: {
                code: 'approval_expired',
                message: 'no admin answered within a day',
                requestId: null,
              },
            }
          : undefined,
      );
      if (result.changed) await this.hooks.onDeclined(result.job);
    }
    const caughtUp = await this.book.reconcile(now, (id) => ledger.get(id));
    if (caughtUp > 0) logger.warn({ settled: caughtUp }, 'settled reservations a crash left open');
    return 60_000;
  }

  /** Charges or refunds one finished job's reservation (once, whoever calls it). */
  async settle(job: Job): Promise<void> {
    await this.book.settle(job, this.ctx.clock.now());
  }
}
