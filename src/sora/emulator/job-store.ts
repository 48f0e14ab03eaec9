/**
 * In-memory jobs, grouped by owner (an API key's hash: a "project"). A job is visible only to its owner,
 * like videos of another OpenAI project or Azure resource. Deleting removes it; a later GET is a 404.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IdempotencyRecord } from './idempotency.js';
import type { JobRecord } from './lifecycle.js';

export type ListOrder = 'asc' | 'desc';

/**
 * With `stateFile`, jobs (and the idempotency keys that started them) are written to a JSON file on
 * every change and read back at start, so the emulator the bot embeds by default keeps its renders
 * across a restart of the bot, like the real service does. Tests and the CLI run without one.
 */
export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  /** By `owner\0key`. */
  private readonly keys = new Map<string, IdempotencyRecord>();
  private seq = 0;

  constructor(private readonly stateFile?: string) {
    if (!stateFile || !existsSync(stateFile)) return;
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as PersistedState;
    this.seq = saved.seq;
    for (const record of saved.idempotency ?? []) this.keys.set(slot(record.owner, record.key), record);
    for (const job of saved.jobs) {
      const { image, ...rest } = job;
      this.jobs.set(job.id, {
        ...rest,
        image: image
          ? { sha256: image.sha256, bytes: new Uint8Array(Buffer.from(image.base64, 'base64')) }
          : undefined,
      });
    }
  }

  private persist(): void {
    if (!this.stateFile) return;
    const jobs: PersistedJob[] = [...this.jobs.values()].map(({ image, ...rest }) => ({
      ...rest,
      image: image
        ? { sha256: image.sha256, base64: Buffer.from(image.bytes).toString('base64') }
        : undefined,
    }));
    const state: PersistedState = { seq: this.seq, jobs, idempotency: [...this.keys.values()] };
    mkdirSync(dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, this.stateFile);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** Adds a job, with the idempotency key that started it when there was one (one write for both). */
  add(job: JobRecord, startedBy?: IdempotencyRecord): void {
    this.jobs.set(job.id, job);
    if (startedBy) {
      // Expired keys go when a new one comes: the map stays bounded by a day of creations.
      for (const [at, record] of this.keys) if (record.expiresAtMs <= job.createdAtMs) this.keys.delete(at);
      this.keys.set(slot(startedBy.owner, startedBy.key), startedBy);
    }
    this.persist();
  }

  /** The job-starting request `owner` made with `key`, while the key is kept. */
  idempotencyRecord(owner: string, key: string, nowMs: number): IdempotencyRecord | undefined {
    const record = this.keys.get(slot(owner, key));
    return record && record.expiresAtMs > nowMs ? record : undefined;
  }

  get(owner: string, id: string): JobRecord | undefined {
    const job = this.jobs.get(id);
    return job && job.owner === owner ? job : undefined;
  }

  remove(owner: string, id: string): JobRecord | undefined {
    const job = this.get(owner, id);
    if (job) {
      this.jobs.delete(id);
      this.persist();
    }
    return job;
  }

  has(id: string): boolean {
    return this.jobs.has(id);
  }

  /** The owner's jobs sorted by creation time (ties: creation order). */
  byOwner(owner: string, order: ListOrder): JobRecord[] {
    const mine = [...this.jobs.values()].filter((job) => job.owner === owner);
    mine.sort((a, b) => a.createdAtMs - b.createdAtMs || a.seq - b.seq);
    return order === 'asc' ? mine : mine.reverse();
  }

  all(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => a.createdAtMs - b.createdAtMs || a.seq - b.seq);
  }
}

type PersistedJob = Omit<JobRecord, 'image'> & { image: { sha256: string; base64: string } | undefined };

/** `idempotency` is absent from files written before keys were kept. */
interface PersistedState {
  seq: number;
  jobs: PersistedJob[];
  idempotency?: IdempotencyRecord[];
}

const slot = (owner: string, key: string) => `${owner}\0${key}`;
