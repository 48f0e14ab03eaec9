/**
 * The durable job ledger: jobs by id, plus indexes by conversation channel, by requester and by the
 * messages that show them (status and delivered video, for reactions and buttons). Every write goes
 * to the store before the caller performs the side effect it describes.
 */
import type { Store } from '../store/store.js';
import { isTerminal, type Job, type JobInput, JobSchema } from './job.js';
import { type Requester, requesterKey, workspaceKey } from './requester.js';
import { newShortId } from './short-id.js';

const KEYS = {
  job: (id: string) => `job:${id}`,
  active: 'jobs:active',
  byChannel: (channel: string) => `jobs:channel:${channel}`,
  byRequester: (r: Requester) => `jobs:requester:${requesterKey(r)}`,
  byWorkspace: (r: Requester) => `jobs:workspace:${workspaceKey(r)}`,
  byMessage: (platform: string, ref: string) => `message:${platform}:${ref}`,
  idempotency: (key: string) => `idempotency:${key}`,
  pendingIdempotency: 'idempotency:pending',
  lease: (jobId: string, purpose: string) => `lease:${purpose}:${jobId}`,
} as const;

export class JobLedger {
  /**
   * Write-through cache of job records. Only for SQLite: one process owns that file, so what this
   * process wrote is the truth, and the loops (which read every active job each tick) stay O(jobs)
   * instead of decoding every record from disk again. With Redis other replicas write too: no cache.
   */
  private readonly cache: Map<string, Job> | undefined;

  constructor(readonly store: Store) {
    this.cache = store.kind === 'sqlite' ? new Map() : undefined;
  }

  /** Creates a job with a fresh short id (drawn again on the rare collision). */
  async create(fields: Omit<JobInput, 'id'>): Promise<Job> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const id = newShortId();
      if (!(await this.store.claim(`jobid:${id}`, id))) continue;
      const job = JobSchema.parse({ ...fields, id });
      await this.store.set(KEYS.job(id), job);
      this.cache?.set(id, job);
      await Promise.all([
        this.store.addToSet(KEYS.active, id),
        this.store.addToSet(KEYS.byChannel(job.channel), id),
        this.store.addToSet(KEYS.byRequester(job.requester), id),
        this.store.addToSet(KEYS.byWorkspace(job.requester), id),
      ]);
      return job;
    }
    throw new Error('could not draw a free job id');
  }

  async get(id: string): Promise<Job | undefined> {
    const cached = this.cache?.get(id);
    if (cached) return cached;
    const raw = await this.store.get<unknown>(KEYS.job(id));
    if (raw === undefined) return undefined;
    const job = JobSchema.parse(raw);
    this.cache?.set(id, job);
    return job;
  }

  /** Writes the new version of a job (the caller's copy with changes applied). */
  async save(job: Job, now: number): Promise<Job> {
    const next = JobSchema.parse({ ...job, updatedAt: now });
    await this.store.set(KEYS.job(job.id), next);
    this.cache?.set(job.id, next);
    if (isTerminal(next.state)) await this.store.removeFromSet(KEYS.active, job.id);
    return next;
  }

  /**
   * Records a change that need not survive a restart (progress, the next poll time): kept in the
   * cache of a single-process store, written through where there is no cache (Redis).
   */
  async saveTransient(job: Job, now: number): Promise<Job> {
    if (!this.cache) return this.save(job, now);
    const next = { ...job, updatedAt: now };
    this.cache.set(job.id, next);
    return next;
  }

  async update(id: string, now: number, change: (job: Job) => Partial<Job>): Promise<Job> {
    const job = await this.get(id);
    if (!job) throw new Error(`job ${id} not found`);
    return this.save({ ...job, ...change(job) }, now);
  }

  async active(): Promise<Job[]> {
    return this.many(await this.store.members(KEYS.active));
  }

  async byRequester(r: Requester): Promise<Job[]> {
    return this.many(await this.store.members(KEYS.byRequester(r)));
  }

  async byChannel(channel: string): Promise<Job[]> {
    return this.many(await this.store.members(KEYS.byChannel(channel)));
  }

  async byWorkspace(r: Requester): Promise<Job[]> {
    return this.many(await this.store.members(KEYS.byWorkspace(r)));
  }

  async indexMessage(platform: string, messageRef: string, jobId: string): Promise<void> {
    await this.store.set(KEYS.byMessage(platform, messageRef), jobId);
  }

  async byMessage(platform: string, messageRef: string): Promise<Job | undefined> {
    const id = await this.store.get<string>(KEYS.byMessage(platform, messageRef));
    return id ? this.get(id) : undefined;
  }

  /**
   * Idempotency: the first caller with `key` gets `{ token }` (go ahead, then `bindIdempotency`); a
   * repeat gets the job id the first one created, or '' while that one is still creating it. The
   * first claim is short-lived until bound, so a command whose process died halfway is not blocked.
   */
  async claimIdempotency(
    key: string,
    pendingTtlMs: number,
  ): Promise<{ token: string } | { existing: string }> {
    const bound = await this.idempotentJobId(key);
    if (bound) return { existing: bound };
    const token = `first:${newShortId()}${newShortId()}`;
    // Recorded before the claim: a crash right after claiming still leaves a trace to clean up.
    await this.store.addToSet(KEYS.pendingIdempotency, `${token}|${key}`);
    if (await this.store.claim(KEYS.idempotency(key), token, pendingTtlMs)) return { token };
    await this.store.removeFromSet(KEYS.pendingIdempotency, `${token}|${key}`);
    return { existing: await this.idempotentJobId(key) };
  }

  /** The job id bound to an idempotency key: '' while its first delivery is still creating the job. */
  async idempotentJobId(key: string): Promise<string> {
    return (await this.store.get<string>(`${KEYS.idempotency(key)}:job`)) ?? '';
  }

  async bindIdempotency(key: string, token: string, jobId: string, ttlMs: number): Promise<void> {
    await this.store.set(`${KEYS.idempotency(key)}:job`, jobId, ttlMs);
    await this.store.claim(KEYS.idempotency(key), token, ttlMs);
    await this.store.removeFromSet(KEYS.pendingIdempotency, `${token}|${key}`);
  }

  /** Frees a key whose first delivery created nothing (so a corrected retry can go through). */
  async releaseIdempotency(key: string, token: string): Promise<void> {
    await this.store.releaseClaim(KEYS.idempotency(key), token);
    await this.store.removeFromSet(KEYS.pendingIdempotency, `${token}|${key}`);
  }

  /**
   * After a restart on a single-process store: claims left pending by the dead process will never be
   * bound, so free them now and let the platform's redelivery of those commands go through.
   */
  async releaseOrphanedIdempotency(accepted: readonly Job[], ttlMs: number): Promise<number> {
    // A job created just before the crash keeps its key: its command must not create a second job.
    for (const job of accepted)
      if (job.idempotencyKey && !(await this.idempotentJobId(job.idempotencyKey)))
        await this.store.set(`${KEYS.idempotency(job.idempotencyKey)}:job`, job.id, ttlMs);
    const pending = await this.store.members(KEYS.pendingIdempotency);
    for (const entry of pending) {
      const split = entry.indexOf('|');
      await this.releaseIdempotency(entry.slice(split + 1), entry.slice(0, split));
    }
    return pending.length;
  }

  claimLease(jobId: string, purpose: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.store.claim(KEYS.lease(jobId, purpose), owner, ttlMs);
  }

  async releaseLeaseOfAnyOwner(jobId: string, purpose: string): Promise<void> {
    const holder = await this.store.claimHolder(KEYS.lease(jobId, purpose));
    if (holder) await this.store.releaseClaim(KEYS.lease(jobId, purpose), holder);
  }

  releaseLease(jobId: string, purpose: string, owner: string): Promise<void> {
    return this.store.releaseClaim(KEYS.lease(jobId, purpose), owner);
  }

  private async many(ids: string[]): Promise<Job[]> {
    const jobs = await Promise.all(ids.map((id) => this.get(id)));
    return jobs.filter((j): j is Job => j !== undefined);
  }
}
