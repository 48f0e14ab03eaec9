/**
 * A queue pass's walk over its candidates: in fair order; once contention is reported, what another
 * replica took since the list was read is passed over, after one read of the stretch ahead; a lone
 * replica's walk never reads the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CandidateWalk } from '../../src/core/candidate-walk.js';
import type { Job } from '../../src/core/job.js';
import { JobLedger } from '../../src/core/job-ledger.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { waitingJobFields } from '../support/job-fields.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Two replicas' ledgers over one store (each with its own cache of validated records), and a queue. */
async function queue(size: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sora-walk-'));
  dirs.push(dir);
  const store = await SqliteStore.open(join(dir, 'ledger.sqlite'));
  const ours = new JobLedger(store, silentLogger);
  const theirs = new JobLedger(store, silentLogger);
  const jobs: Job[] = [];
  for (let i = 0; i < size; i++)
    jobs.push(
      await ours.create(
        waitingJobFields({
          requester: { platform: 'playground', workspace: 'local', user: `u${i}` },
          createdAt: 1_000 + i,
          updatedAt: 1_000 + i,
        }),
      ),
    );
  const reads: string[][] = [];
  const readNow = (ids: string[]) => {
    reads.push(ids);
    return ours.getMany(ids);
  };
  return { store, ours, theirs, jobs, reads, readNow };
}

async function drain(walk: CandidateWalk): Promise<string[]> {
  const out: string[] = [];
  for (let job = await walk.take(); job; job = await walk.take()) out.push(job.id);
  return out;
}

describe('candidate walk', () => {
  it('hands out every candidate in order and reads nothing while nobody else is seen', async () => {
    const q = await queue(5);
    await q.theirs.transition(q.jobs[2]!.id, 2_000, () => ({ state: 'deleted' }));
    const walk = new CandidateWalk(q.jobs, q.readNow);
    expect(await drain(walk)).toEqual(q.jobs.map((j) => j.id));
    expect(q.reads).toEqual([]);
    await q.store.close();
  });

  it('after contention, passes over what another replica sent or started, and keeps the rest in order', async () => {
    const q = await queue(8);
    const walk = new CandidateWalk(q.jobs, q.readNow, 4);
    expect((await walk.take())?.id).toBe(q.jobs[0]!.id);
    // Another replica sent job 1, started sending job 2, and job 4 was deleted; job 3 is untouched.
    await q.theirs.transition(q.jobs[1]!.id, 2_000, () => ({ state: 'rendering', providerVideoId: 'v1' }));
    await q.theirs.transition(q.jobs[2]!.id, 2_000, () => ({ submitStartedAt: 2_000 }));
    await q.theirs.transition(q.jobs[4]!.id, 2_000, () => ({ state: 'deleted' }));
    walk.contended();
    walk.contended(); // a second report while the first re-read runs reads nothing more
    expect(await drain(walk)).toEqual([q.jobs[3]!.id, q.jobs[5]!.id, q.jobs[6]!.id, q.jobs[7]!.id]);
    // One read, of the window ahead (jobs 1 to 4).
    expect(q.reads).toEqual([q.jobs.slice(1, 5).map((j) => j.id)]);
    await q.store.close();
  });

  it('reads again only once the walk has passed the stretch it last read', async () => {
    const q = await queue(6);
    const walk = new CandidateWalk(q.jobs, q.readNow, 2);
    walk.contended(); // reads jobs 0 and 1
    expect((await walk.take())?.id).toBe(q.jobs[0]!.id);
    walk.contended(); // still inside the stretch read: nothing
    expect((await walk.take())?.id).toBe(q.jobs[1]!.id);
    await q.theirs.transition(q.jobs[2]!.id, 2_000, () => ({ state: 'deleted' }));
    walk.contended(); // past it: reads jobs 2 and 3
    expect(await drain(walk)).toEqual([q.jobs[3]!.id, q.jobs[4]!.id, q.jobs[5]!.id]);
    expect(q.reads).toEqual([q.jobs.slice(0, 2).map((j) => j.id), q.jobs.slice(2, 4).map((j) => j.id)]);
    await q.store.close();
  });
});
