/**
 * The durable job ledger on the store's versioned records. Every change is a compare-and-set
 * (`transition`): the caller's decision is computed from the record as it is now, and computed again
 * when another writer got there first, so a delete is never overwritten by a step that read the job
 * before it. A step with a side effect fences its writes with its lease (`JobLeases`): a holder whose
 * lease lapsed cannot record over the one that took over. Indexes are derived from the record and
 * committed in the same write (job-indexes.ts), so they never drift from it.
 */

import type { Fence, Store, VersionedRecord } from '../store/store.js';
import { applyJobChange, isTerminal, type Job, type JobInput, JobSchema, type JobState } from './job.js';
import {
  INDEX,
  indexChanges,
  indexDifference,
  LIVE_STATES,
  type ListScope,
  type LiveJobState,
  scopeIndex,
} from './job-indexes.js';
import type { Logger } from './logger.js';
import { LruMap } from './lru-map.js';
import { newShortId } from './short-id.js';

export type { ListScope, LiveJobState } from './job-indexes.js';

/** Validated jobs kept by version (the loops' working set; far more than any queue holds). */
const DECODED_CACHE_SIZE = 10_000;

/** A fenced write found its lease taken over: the caller must stop the step. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

export type TransitionOutcome =
  | { job: Job; changed: true }
  /** The decision declined (returned undefined): the job as it is now. */
  | { job: Job; changed: false }
  | { job: undefined; changed: false };

export class JobLedger {
  private readonly decoded = new LruMap<string, { version: number; job: Job }>(DECODED_CACHE_SIZE);

  constructor(
    readonly store: Store,
    private readonly logger: Logger,
    /** Draws job ids (injected by tests that force a collision). */
    private readonly newId: () => string = newShortId,
  ) {}

  /** Called after every write that moved a job into a terminal state (settles its budget reservation). */
  onTerminal: ((job: Job) => void) | undefined;

  /** Creates a job with a fresh short id; an id that exists is never overwritten (drawn again). */
  async create(fields: Omit<JobInput, 'id'>): Promise<Job> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const job = await this.createWithId(this.newId(), fields);
      if (job) return job;
    }
    throw new Error('could not draw a free job id');
  }

  /** A fresh id for `createWithId` (one that a job already has is refused there, never overwritten). */
  drawId(): string {
    return this.newId();
  }

  /** Creates the job under this id; undefined when a job already has it (nothing is written). */
  async createWithId(id: string, fields: Omit<JobInput, 'id'>): Promise<Job | undefined> {
    const job = JobSchema.parse({ ...fields, id });
    const written = await this.store.writeRecord({
      key: recordKey(job.id),
      value: job,
      expectedVersion: 0,
      ...indexChanges(job),
    });
    if (!written.ok) return undefined;
    this.remember(job.id, written.version, job);
    return job;
  }

  async get(id: string): Promise<Job | undefined> {
    return (await this.read(id))?.job;
  }

  /**
   * The job as stored now. A record still at the version this ledger validated comes back as its
   * version alone, and the job kept in `decoded` is used: every transition reads before it writes,
   * and in one process that record is nearly always the one it wrote last (no parsing it again).
   */
  private async read(id: string): Promise<{ job: Job; version: number } | undefined> {
    const known = this.decoded.get(id);
    const [record] = await this.store.readRecordsSince([recordKey(id)], [known?.version]);
    if (record === undefined) return undefined;
    if (typeof record === 'number') return { job: known!.job, version: record };
    const job = await this.decode(id, record);
    return job ? { job, version: record.version } : undefined;
  }

  /**
   * Validates a record, or takes the job already validated at this exact version (the loops read the
   * same unchanged jobs tick after tick; a newer version, from any replica, is validated again).
   */
  private async decode(id: string, record: VersionedRecord): Promise<Job | undefined> {
    const known = this.decoded.get(id);
    if (known && known.version === record.version) return known.job;
    const parsed = JobSchema.safeParse(record.value);
    if (!parsed.success) {
      await this.quarantine(id, parsed.error.message);
      return undefined;
    }
    this.remember(id, record.version, parsed.data);
    return parsed.data;
  }

  private remember(id: string, version: number, job: Job): void {
    this.decoded.set(id, { version, job });
  }

  /**
   * Compare-and-set: `decide` sees the job as stored and returns the change to make, or undefined to
   * leave it alone (e.g. it was deleted meanwhile). On a conflict it runs again on the fresh record.
   */
  async transition(
    id: string,
    now: number,
    decide: (job: Job) => Partial<Job> | undefined,
    fence?: Fence,
  ): Promise<TransitionOutcome> {
    return this.write(id, now, decide, fence, false);
  }

  /**
   * Writes every index entry of the job again from its record (at start, for a ledger imported from an
   * older version, whose records have no per-state entries); a transition writes only what changed.
   */
  async reindex(id: string, now: number): Promise<void> {
    await this.write(id, now, () => ({}), undefined, true);
  }

  private async write(
    id: string,
    now: number,
    decide: (job: Job) => Partial<Job> | undefined,
    fence: Fence | undefined,
    everyIndex: boolean,
  ): Promise<TransitionOutcome> {
    for (;;) {
      const current = await this.read(id);
      if (!current) return { job: undefined, changed: false };
      const change = decide(current.job);
      if (!change) return { job: current.job, changed: false };
      const next = applyJobChange(current.job, { ...change, id, updatedAt: now });
      const written = await this.store.writeRecord({
        key: recordKey(id),
        value: next,
        expectedVersion: current.version,
        fence,
        // The entries of the version read are in the store (each write changed them with its record,
        // atomically, and the compare-and-set proves nothing wrote since): send only the difference.
        ...(everyIndex ? indexChanges(next) : indexDifference(current.job, next)),
      });
      if (written.ok) {
        this.remember(id, written.version, next);
        if (isTerminal(next.state) && !isTerminal(current.job.state)) this.onTerminal?.(next);
        return { job: next, changed: true };
      }
      if (written.reason === 'fenced') throw new LeaseLostError(`lease ${fence?.lease} was taken over`);
    }
  }

  /** Unfinished jobs (bounded by the queue, never by history). */
  async active(): Promise<Job[]> {
    return this.fromIndex(INDEX.active);
  }

  /** Jobs in these states, oldest first. */
  async inStates(states: readonly JobState[]): Promise<Job[]> {
    const lists = await Promise.all(states.map((s) => this.fromIndex(INDEX.state(s))));
    return lists.flat().sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Unfinished jobs per state and those awaiting approval, from the indexes' sizes (no record is read). */
  async counts(): Promise<{ byState: Record<LiveJobState, number>; awaitingApproval: number }> {
    const [awaitingApproval = 0, ...sizes] = await Promise.all([
      this.store.indexCount(INDEX.approval),
      ...LIVE_STATES.map((state) => this.store.indexCount(INDEX.state(state))),
    ]);
    const byState = Object.fromEntries(LIVE_STATES.map((state, i) => [state, sizes[i] ?? 0]));
    return { byState: byState as Record<LiveJobState, number>, awaitingApproval };
  }

  /** Deleted jobs whose cleanup has not finished (resumable after a crash). */
  async pendingCleanup(): Promise<Job[]> {
    return this.fromIndex(INDEX.cleanup);
  }

  /** Jobs waiting for an admin's approval. */
  async pendingApprovals(): Promise<Job[]> {
    return this.fromIndex(INDEX.approval);
  }

  /** Jobs with files on disk. */
  async stored(): Promise<Job[]> {
    return this.fromIndex(INDEX.stored);
  }

  /** A page of a listing scope, newest first, plus the scope's size (deleted jobs are not listed). */
  async page(scope: ListScope, offset: number, limit: number): Promise<{ jobs: Job[]; total: number }> {
    const index = scopeIndex(scope);
    const [entries, total] = await Promise.all([
      this.store.indexRange(index, { order: 'desc', limit, offset }),
      this.store.indexCount(index),
    ]);
    return { jobs: await this.many(entries.map((e) => e.member)), total };
  }

  /**
   * Ids of a listing scope, newest first, a keyset page at a time (`after`: the last entry of the
   * previous page); no record is read, so a scan over a long history costs index reads only.
   */
  async scopeIds(
    scope: ListScope,
    limit: number,
    after?: { score: number; member: string },
  ): Promise<{ member: string; score: number }[]> {
    const entries = await this.store.indexRange(scopeIndex(scope), { order: 'desc', limit, after });
    return entries.map((e) => ({ member: e.member, score: e.score }));
  }

  /** These jobs, in one batched read (missing or unreadable ones are left out). */
  getMany(ids: readonly string[]): Promise<Job[]> {
    return this.many([...ids]);
  }

  /** How many jobs a listing scope holds. */
  count(scope: ListScope): Promise<number> {
    return this.store.indexCount(scopeIndex(scope));
  }

  /** Ids of records moved aside because they failed validation (for `sora-bot doctor`). */
  async quarantined(): Promise<string[]> {
    return (await this.store.indexRange(INDEX.quarantine, { order: 'asc', limit: 1000 })).map(
      (e) => e.member,
    );
  }

  async indexMessage(platform: string, messageRef: string, jobId: string): Promise<void> {
    await this.store.set(messageKey(platform, messageRef), jobId);
  }

  async byMessage(platform: string, messageRef: string): Promise<Job | undefined> {
    const id = await this.store.get<string>(messageKey(platform, messageRef));
    return id ? this.get(id) : undefined;
  }

  /** Binds a provider video to the job that paid for it; false when another job has it. */
  async claimVideo(videoId: string, jobId: string): Promise<boolean> {
    return (await this.store.acquireLease(`video:${videoId}`, jobId)) !== undefined;
  }

  async jobOfVideo(videoId: string): Promise<string | undefined> {
    return (await this.store.leaseHolder(`video:${videoId}`))?.owner;
  }

  // Idempotency of platform commands (retries of one slash command make one job).

  /**
   * The first caller with `key` gets `{ token }` (go ahead, then `bindIdempotency`); a repeat gets
   * the job id the first one created, or '' while that one is still creating it. The first claim is
   * short-lived until bound, so a command whose process died halfway is not blocked for long.
   */
  async claimIdempotency(
    key: string,
    pendingTtlMs: number,
  ): Promise<{ token: string } | { existing: string }> {
    const bound = await this.idempotentJobId(key);
    if (bound) return { existing: bound };
    const token = `first:${newShortId()}${newShortId()}`;
    if (await this.store.acquireLease(idempotencyLease(key), token, pendingTtlMs)) return { token };
    return { existing: await this.idempotentJobId(key) };
  }

  /** The job id bound to an idempotency key: '' while its first delivery is still creating the job. */
  async idempotentJobId(key: string): Promise<string> {
    return (await this.store.get<string>(`idempotency:${key}:job`)) ?? '';
  }

  async bindIdempotency(key: string, token: string, jobId: string, ttlMs: number): Promise<void> {
    await this.store.set(`idempotency:${key}:job`, jobId, ttlMs);
    await this.store.acquireLease(idempotencyLease(key), token, ttlMs);
  }

  /** Frees a key whose first delivery created nothing (so a corrected retry can go through). */
  async releaseIdempotency(key: string, token: string): Promise<void> {
    const holder = await this.store.leaseHolder(idempotencyLease(key));
    if (holder?.owner === token)
      await this.store.releaseLease({ name: idempotencyLease(key), owner: token, token: holder.token });
  }

  /** A job accepted just before a crash keeps its command's key bound to it (no second job). */
  async rebindIdempotency(job: Job, ttlMs: number): Promise<void> {
    if (job.idempotencyKey && !(await this.idempotentJobId(job.idempotencyKey)))
      await this.store.set(`idempotency:${job.idempotencyKey}:job`, job.id, ttlMs);
  }

  private async fromIndex(index: string): Promise<Job[]> {
    return this.many((await this.idsOf(index)).map((e) => e.member));
  }

  private async many(ids: string[]): Promise<Job[]> {
    const held = ids.map((id) => this.decoded.peek(id));
    const records = await this.store.readRecordsSince(
      ids.map(recordKey),
      held.map((known) => known?.version),
    );
    const jobs: Job[] = [];
    for (const [i, record] of records.entries()) {
      // A bare version: the record is still the one validated before (and kept in `decoded`).
      const job =
        typeof record === 'number' ? held[i]!.job : record ? await this.decode(ids[i]!, record) : undefined;
      if (job) jobs.push(job);
    }
    return jobs;
  }

  /** Ids of the jobs in these states, oldest first (no record is read). */
  async idsInStates(states: readonly JobState[]): Promise<string[]> {
    const lists = await Promise.all(states.map((s) => this.idsOf(INDEX.state(s))));
    return lists
      .flat()
      .sort((a, b) => a.score - b.score)
      .map((e) => e.member);
  }

  private async idsOf(index: string): Promise<{ member: string; score: number }[]> {
    const entries: { member: string; score: number }[] = [];
    let after: { score: number; member: string } | undefined;
    for (;;) {
      const page = await this.store.indexRange(index, { order: 'asc', limit: 500, after });
      entries.push(...page);
      if (page.length < 500) break;
      const last = page[page.length - 1]!;
      after = { score: last.score, member: last.member };
    }
    return entries;
  }

  /** Moves a record that fails validation out of every work list; it stays readable for an operator. */
  private async quarantine(id: string, reason: string): Promise<void> {
    const already = (await this.store.indexScore(INDEX.quarantine, id)) !== undefined;
    await this.store.indexAdd(INDEX.quarantine, id, Date.now());
    for (const index of [
      INDEX.active,
      INDEX.cleanup,
      INDEX.stored,
      INDEX.approval,
      ...LIVE_STATES.map(INDEX.state),
    ])
      await this.store.indexRemove(index, id);
    if (!already)
      this.logger.error(
        { jobId: id, reason: reason.slice(0, 500) },
        'job record failed validation; moved to quarantine (see sora-bot doctor)',
      );
  }
}

export function recordKey(id: string): string {
  return `job:${id}`;
}

function messageKey(platform: string, ref: string): string {
  return `message:${platform}:${ref}`;
}

function idempotencyLease(key: string): string {
  return `idempotency:${key}`;
}
