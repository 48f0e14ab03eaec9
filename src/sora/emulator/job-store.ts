/**
 * In-memory jobs, grouped by owner (an API key's hash: a "project"). A job is visible only to its owner,
 * like videos of another OpenAI project or Azure resource. Deleting removes it; a later GET is a 404.
 */
import type { JobRecord } from './lifecycle.js';

export type ListOrder = 'asc' | 'desc';

export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private seq = 0;

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  add(job: JobRecord): void {
    this.jobs.set(job.id, job);
  }

  get(owner: string, id: string): JobRecord | undefined {
    const job = this.jobs.get(id);
    return job && job.owner === owner ? job : undefined;
  }

  remove(owner: string, id: string): JobRecord | undefined {
    const job = this.get(owner, id);
    if (job) this.jobs.delete(id);
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
