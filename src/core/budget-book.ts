/**
 * Team budgets that cannot be overdrawn. Each job's estimated cost is *reserved* before the job
 * exists, against every budget that applies (the person's day and month, the workspace's month, and
 * the person's count of unfinished jobs), in one atomic `postEntry`: every counter moves or none
 * does, so parallel commands on any number of replicas never take a budget past its limit. When the
 * job ends the reservation is *settled* exactly once: charged when the provider rendered the video
 * (also when it is deleted later) or accepted it before a delete, refunded in full otherwise.
 *
 * Every reservation, charge and refund is also an entry in the workspace's usage log (same
 * transaction), and usage is computed from those entries, so a restart or a lost replica never
 * changes a total. A reservation whose job was never created (a crash in between) is refunded by
 * `reconcile`.
 */
import type { ProviderKind } from '../sora/capabilities.js';
import type { CounterChange, Store } from '../store/store.js';
import {
  countersFor,
  openMember,
  parseEntry,
  parseOpenMember,
  personLimitsKey,
  workspaceLimitsKey,
} from './budget-entries.js';
import { type Period, type PeriodKind, periodAt } from './budget-periods.js';
import { isTerminal, type Job } from './job.js';
import { type CoreMetrics, NO_METRICS } from './metrics.js';
import type { Micros, PriceTable } from './pricing.js';
import { type Requester, workspaceKey } from './requester.js';

export interface BudgetSettings {
  prices: PriceTable;
  /** SORA_BUDGET_USER_DAY / _USER_MONTH / _WORKSPACE_MONTH, in micro-dollars; null: no limit. */
  userDay: Micros | null;
  userMonth: Micros | null;
  workspaceMonth: Micros | null;
  /** SORA_MAX_PENDING_PER_USER: unfinished jobs of one person. */
  maxPendingPerUser: number;
  /** SORA_BUDGET_TZ. */
  timeZone: string;
  /** SORA_APPROVAL_ABOVE: jobs estimated above this wait for an admin; null: never. */
  approvalAbove: Micros | null;
}

export type BudgetName = 'user-day' | 'user-month' | 'workspace-month' | 'pending';

/** A limit as it applies now: where it comes from and how much of it is used. */
export interface BudgetLine {
  name: BudgetName;
  limit: number | null;
  used: number;
  /** Where the limit comes from: the environment's default or an admin's setting in chat. */
  source: 'default' | 'chat';
  resetsAt: number | null;
}

export interface Reservation {
  micros: Micros;
  reservedAt: number;
  day: string;
  month: string;
}

export type ReserveOutcome =
  | { ok: true; reservation: Reservation }
  | { ok: false; budget: BudgetLine; cost: Micros };

/** What an admin may set from chat: a limit, or `null` for "off" (no limit, overriding the default). */
export interface LimitOverrides {
  day?: Micros | null;
  month?: Micros | null;
}

/** One entry of a workspace's usage log. */
export interface UsageEntry {
  kind: 'reserve' | 'charge' | 'refund';
  jobId: string;
  micros: Micros;
  user: string;
  userName: string | null;
  model: string;
  /** When the entry was made (the log is ordered by the reservation's time, which decides its period). */
  at: number;
  reservedAt: number;
}

const ONCE_INDEX = 'usage:once';
/** Reservations not settled yet (member: the reservation's facts, so an uncreated job can be refunded). */
const OPEN_INDEX = 'usage:open';
const DAY_MS = 86_400_000;
/** A reservation this old without a job record belongs to a command that crashed before creating it. */
const ORPHAN_RESERVATION_MS = 10 * 60_000;

export function usageIndex(workspace: string): string {
  return `usage:${workspace}`;
}

export class BudgetBook {
  constructor(
    private readonly store: Store,
    readonly settings: BudgetSettings,
    private readonly provider: ProviderKind,
    /** Told of each settlement this book posts (spend and refunds); a duplicate is not told. */
    private readonly metrics: Pick<CoreMetrics, 'budgetSettled'> = NO_METRICS,
  ) {}

  estimate(request: { model: string; size: string; seconds: string }): Micros {
    return this.settings.prices.estimate({ provider: this.provider, ...request });
  }

  periods(now: number): { day: Period; month: Period } {
    return {
      day: periodAt('day', now, this.settings.timeZone),
      month: periodAt('month', now, this.settings.timeZone),
    };
  }

  /** The limits that apply to `r` now, with what is used of each. */
  async lines(r: Pick<Requester, 'platform' | 'workspace' | 'user'>, now: number): Promise<BudgetLine[]> {
    const ws = workspaceKey(r);
    const { day, month } = this.periods(now);
    const [personal, team] = await Promise.all([
      this.store.get<LimitOverrides>(personLimitsKey(ws, r.user)),
      this.store.get<LimitOverrides>(workspaceLimitsKey(ws)),
    ]);
    const counters = countersFor(ws, r.user, day.key, month.key);
    const [userDay, userMonth, wsMonth, pending] = await this.store.counterValues([
      counters.userDay,
      counters.userMonth,
      counters.workspaceMonth,
      counters.pending,
    ]);
    const pick = (override: Micros | null | undefined, fallback: Micros | null) =>
      override === undefined
        ? { limit: fallback, source: 'default' as const }
        : { limit: override, source: 'chat' as const };
    return [
      {
        name: 'user-day',
        ...pick(personal?.day, this.settings.userDay),
        used: userDay ?? 0,
        resetsAt: day.endsAt,
      },
      {
        name: 'user-month',
        ...pick(personal?.month, this.settings.userMonth),
        used: userMonth ?? 0,
        resetsAt: month.endsAt,
      },
      {
        name: 'workspace-month',
        ...pick(team?.month, this.settings.workspaceMonth),
        used: wsMonth ?? 0,
        resetsAt: month.endsAt,
      },
      {
        name: 'pending',
        limit: this.settings.maxPendingPerUser,
        source: 'default',
        used: pending ?? 0,
        resetsAt: null,
      },
    ];
  }

  /**
   * Reserves `cost` for job `jobId` against every budget of its requester, atomically. Refused with
   * the budget that would go over (its limit and use as of the refusal).
   */
  async reserve(
    jobId: string,
    requester: Requester,
    request: { model: string },
    cost: Micros,
    now: number,
  ): Promise<ReserveOutcome> {
    const ws = workspaceKey(requester);
    const lines = await this.lines(requester, now);
    const { day, month } = this.periods(now);
    const names = countersFor(ws, requester.user, day.key, month.key);
    const limitOf = (name: BudgetName) => lines.find((l) => l.name === name)?.limit ?? undefined;
    const keep = (period: Period) => period.endsAt - now + 40 * DAY_MS;
    const counters: (CounterChange & { budget: BudgetName })[] = [
      { budget: 'pending', name: names.pending, delta: 1, max: limitOf('pending') },
      { budget: 'user-day', name: names.userDay, delta: cost, max: limitOf('user-day'), ttlMs: keep(day) },
      {
        budget: 'user-month',
        name: names.userMonth,
        delta: cost,
        max: limitOf('user-month'),
        ttlMs: keep(month),
      },
      {
        budget: 'workspace-month',
        name: names.workspaceMonth,
        delta: cost,
        max: limitOf('workspace-month'),
        ttlMs: keep(month),
      },
    ];
    const reservation: Reservation = { micros: cost, reservedAt: now, day: day.key, month: month.key };
    const entry = this.entry('reserve', jobId, requester, request.model, reservation, now);
    const result = await this.store.postEntry({
      once: { index: ONCE_INDEX, member: `${jobId}:reserve`, score: now },
      counters,
      indexAdd: [
        { index: usageIndex(ws), member: entry, score: now },
        { index: OPEN_INDEX, member: openMember(jobId, requester, request.model, reservation), score: now },
      ],
    });
    if (result.ok) return { ok: true, reservation };
    if (result.reason === 'duplicate') return { ok: true, reservation };
    const over = counters[result.counter]!;
    const line = lines.find((l) => l.name === over.budget)!;
    return { ok: false, budget: { ...line, used: result.value }, cost };
  }

  /**
   * Charges or refunds a finished job's reservation, exactly once (a second call, on any replica,
   * changes nothing). Returns what it did.
   */
  async settle(job: Job, now: number): Promise<'charged' | 'refunded' | 'already' | 'nothing'> {
    if (!job.cost) return 'nothing';
    const outcome = settlementOf(job);
    const done = await this.post(
      job.id,
      outcome,
      job.requester,
      job.request.model,
      { micros: job.cost.micros, reservedAt: job.cost.reservedAt, day: job.cost.day, month: job.cost.month },
      now,
    );
    return done ? outcome : 'already';
  }

  /**
   * Settles what a crash or a lost replica left open: a reservation whose job finished is charged or
   * refunded now; one whose job was never created (the command died in between) is refunded once it
   * is old enough that the command cannot still be creating it. Returns how many it settled.
   */
  async reconcile(now: number, jobOf: (id: string) => Promise<Job | undefined>): Promise<number> {
    let settled = 0;
    let after: { score: number; member: string } | undefined;
    for (;;) {
      const page = await this.store.indexRange(OPEN_INDEX, { order: 'asc', limit: 200, after });
      for (const entry of page) {
        const facts = parseOpenMember(entry.member);
        if (!facts) continue;
        const job = await jobOf(facts.jobId);
        if (job) {
          if (isTerminal(job.state) && (await this.settle(job, now)) !== 'already') settled++;
          continue;
        }
        if (now - entry.score < ORPHAN_RESERVATION_MS) continue;
        const requester = { platform: facts.platform, workspace: facts.workspace, user: facts.user };
        if (await this.post(facts.jobId, 'refunded', requester, facts.model, facts.reservation, now))
          settled++;
      }
      if (page.length < 200) return settled;
      const last = page[page.length - 1]!;
      after = { score: last.score, member: last.member };
    }
  }

  /** How a job's reservation ended, or null while it is open (or never existed). */
  async outcome(job: Job): Promise<'charged' | 'refunded' | null> {
    if (!job.cost) return null;
    const done = await this.store.indexScore(ONCE_INDEX, `${job.id}:settle`);
    return done === undefined ? null : settlementOf(job);
  }

  /** Refunds a reservation made for a job id that could not be created (a collision, a failure). */
  async refundUncreated(
    jobId: string,
    requester: Requester,
    model: string,
    reservation: Reservation,
    now: number,
  ): Promise<void> {
    await this.post(jobId, 'refunded', requester, model, reservation, now);
  }

  async overrides(ws: string, user: string | null): Promise<LimitOverrides> {
    return (
      (await this.store.get<LimitOverrides>(user ? personLimitsKey(ws, user) : workspaceLimitsKey(ws))) ?? {}
    );
  }

  /** An admin's change: a limit for a period, or null for "off". Persists across restarts and replicas. */
  async setLimit(ws: string, user: string | null, period: PeriodKind, limit: Micros | null): Promise<void> {
    const key = user ? personLimitsKey(ws, user) : workspaceLimitsKey(ws);
    const current = (await this.store.get<LimitOverrides>(key)) ?? {};
    await this.store.set(key, { ...current, [period]: limit });
  }

  /** A workspace's usage log for reservations made in [from, to). */
  async entries(ws: string, from: number, to: number): Promise<UsageEntry[]> {
    const out: UsageEntry[] = [];
    let after = { score: from - 1, member: '\uffff' };
    for (;;) {
      const page = await this.store.indexRange(usageIndex(ws), { order: 'asc', limit: 5_000, after });
      for (const e of page) {
        if (e.score >= to) return out;
        const parsed = parseEntry(e.member);
        if (parsed) out.push(parsed);
      }
      if (page.length < 5_000) return out;
      const last = page[page.length - 1]!;
      after = { score: last.score, member: last.member };
    }
  }

  private async post(
    jobId: string,
    outcome: 'charged' | 'refunded',
    requester: Pick<Requester, 'platform' | 'workspace' | 'user'> & { displayName?: string | undefined },
    model: string,
    reservation: Reservation,
    now: number,
  ): Promise<boolean> {
    const ws = workspaceKey(requester);
    const names = countersFor(ws, requester.user, reservation.day, reservation.month);
    const refund = outcome === 'refunded' ? -reservation.micros : 0;
    const counters: CounterChange[] = [{ name: names.pending, delta: -1 }];
    if (refund !== 0)
      counters.push(
        { name: names.userDay, delta: refund },
        { name: names.userMonth, delta: refund },
        { name: names.workspaceMonth, delta: refund },
      );
    const kind = outcome === 'charged' ? 'charge' : 'refund';
    const result = await this.store.postEntry({
      once: { index: ONCE_INDEX, member: `${jobId}:settle`, score: now },
      counters,
      // Scored by the reservation's time: a refund counts in the period the reservation did.
      indexAdd: [
        {
          index: usageIndex(ws),
          member: this.entry(kind, jobId, requester, model, reservation, now),
          score: reservation.reservedAt,
        },
      ],
      indexRemove: [{ index: OPEN_INDEX, member: openMember(jobId, requester, model, reservation) }],
    });
    if (result.ok) this.metrics.budgetSettled(outcome, reservation.micros);
    return result.ok;
  }

  private entry(
    kind: UsageEntry['kind'],
    jobId: string,
    requester: Pick<Requester, 'user'> & { displayName?: string | undefined },
    model: string,
    reservation: Reservation,
    now: number,
  ): string {
    return JSON.stringify([
      kind,
      jobId,
      reservation.micros,
      requester.user,
      requester.displayName ?? null,
      model,
      now,
      reservation.reservedAt,
    ]);
  }
}

/**
 * Charged when the provider rendered the video (deleted later or not) or had accepted it before a
 * delete (it may bill the work); refunded when it failed, was refused, or never reached the provider.
 */
export function settlementOf(job: Job): 'charged' | 'refunded' {
  if (job.completedAt !== null) return 'charged';
  if (job.state === 'deleted' && job.providerVideoId !== null) return 'charged';
  return 'refunded';
}
