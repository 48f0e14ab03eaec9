/**
 * The ledger on both stores: ids never overwrite a job, a record that fails validation is moved aside
 * (the loops go on), transitions are compare-and-set and fenced by leases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Job, JobInput } from '../../src/core/job.js';
import { JobLedger, LeaseLostError } from '../../src/core/job-ledger.js';
import { silentLogger } from '../../src/core/logger.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { REDIS_URL, storeKinds } from '../support/core-harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const available = storeKinds();
const stores: [string, () => Promise<Store>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sora-ledger-'));
      dirs.push(dir);
      return SqliteStore.open(join(dir, 'ledger.sqlite'));
    },
  ],
  [
    'redis',
    () =>
      RedisStore.open(
        REDIS_URL,
        `ledger-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      ),
  ],
];

function fields(prompt: string, user = 'alice', at = 1_000): Omit<JobInput, 'id'> {
  return {
    state: 'waiting',
    requester: { platform: 'playground', workspace: 'local', user },
    channel: 'playground:room',
    conversation: 'playground:room',
    request: { kind: 'generate', prompt, seconds: '4', size: '720x1280', model: 'sora-2' },
    createdAt: at,
    updatedAt: at,
  };
}

describe.each(stores.filter(([name]) => (available as string[]).includes(name)))(
  'job ledger (%s)',
  (_name, open) => {
    it('never overwrites an existing job when an id is drawn again', async () => {
      const store = await open();
      const ids = ['aaaaaa', 'aaaaaa', 'aaaaaa', 'bbbbbb'];
      const ledger = new JobLedger(store, silentLogger, () => ids.shift()!);
      const first = await ledger.create(fields('the first job'));
      const second = await ledger.create(fields('the second job', 'bob'));
      expect(first.id).toBe('aaaaaa');
      expect(second.id).toBe('bbbbbb');
      expect((await ledger.get('aaaaaa'))?.request.prompt).toBe('the first job');
      expect((await ledger.page({ requester: first.requester }, 0, 10)).total).toBe(1);
      expect((await ledger.page({ channel: 'playground:room' }, 0, 10)).total).toBe(2);
      await store.close();
    });

    it('moves a record that fails validation to quarantine; every other job is still served', async () => {
      const store = await open();
      const ledger = new JobLedger(store, silentLogger);
      const good = await ledger.create(fields('a good job'));
      // A record written by a newer version with a state this one does not know.
      await store.writeRecord({
        key: 'job:zzzzzz',
        value: { ...good, id: 'zzzzzz', state: 'paused-by-admin' },
        expectedVersion: 0,
        indexAdd: [
          { index: 'jobs:active', member: 'zzzzzz', score: 1 },
          { index: 'jobs:state:waiting', member: 'zzzzzz', score: 1 },
        ],
      });
      expect((await ledger.active()).map((j) => j.id)).toEqual([good.id]);
      expect((await ledger.inStates(['waiting'])).map((j) => j.id)).toEqual([good.id]);
      expect(await ledger.quarantined()).toEqual(['zzzzzz']);
      // Moved out of the work lists: the next read does not even see it.
      expect(await store.indexScore('jobs:active', 'zzzzzz')).toBeUndefined();
      // Still there for an operator.
      expect((await store.readRecord<{ state: string }>('job:zzzzzz'))?.value.state).toBe('paused-by-admin');
      await store.close();
    });

    it('transitions are compare-and-set: a decision is made again on the fresh record', async () => {
      const store = await open();
      const ledger = new JobLedger(store, silentLogger);
      const job = await ledger.create(fields('a contested job'));
      // Two writers decide at once from the same version: one deletes, one submits.
      let submitDecisions = 0;
      const [deleted, submitted] = await Promise.all([
        ledger.transition(job.id, 2_000, (j) => (j.state === 'deleted' ? undefined : { state: 'deleted' })),
        ledger.transition(job.id, 2_000, (j) => {
          submitDecisions++;
          return j.state === 'waiting' ? { state: 'rendering', providerVideoId: 'video_1' } : undefined;
        }),
      ]);
      const final = (await ledger.get(job.id)) as Job;
      // Whatever the order, the delete is not lost: a submit that lost the race saw the delete.
      if (final.state === 'deleted') expect(deleted.changed).toBe(true);
      else expect.unreachable(`the delete was overwritten: ${final.state}`);
      if (submitted.changed) expect(submitDecisions).toBe(1);
      await store.close();
    });

    it('a write fenced by a lapsed lease is refused', async () => {
      const store = await open();
      const ledger = new JobLedger(store, silentLogger);
      const job = await ledger.create(fields('a fenced job'));
      const lease = (await store.acquireLease(`deliver:${job.id}`, 'replica-a', 50))!;
      await new Promise((r) => setTimeout(r, 120));
      await store.acquireLease(`deliver:${job.id}`, 'replica-b', 10_000);
      await expect(
        ledger.transition(job.id, 3_000, () => ({ state: 'delivered' }), {
          lease: lease.name,
          token: lease.token,
        }),
      ).rejects.toBeInstanceOf(LeaseLostError);
      expect((await ledger.get(job.id))?.state).toBe('waiting');
      await store.close();
    });

    it('a transition sends only the index entries that change, and every list still matches the record', async () => {
      const store = await open();
      const indexOps: number[] = [];
      const counting = new Proxy(store, {
        get(target, prop, receiver) {
          if (prop !== 'writeRecord') return Reflect.get(target, prop, receiver);
          return (write: Parameters<Store['writeRecord']>[0]) => {
            indexOps.push((write.indexAdd?.length ?? 0) + (write.indexRemove?.length ?? 0));
            return target.writeRecord(write);
          };
        },
      });
      const ledger = new JobLedger(counting, silentLogger);
      const other = await ledger.create(fields('a bystander', 'bob'));
      const job = await ledger.create({ ...fields('a job on its way', 'alice', 2_000), state: 'accepted' });
      const lists = async () => ({
        active: (await ledger.active()).map((j) => j.id).sort(),
        accepted: (await ledger.inStates(['accepted'])).map((j) => j.id),
        waiting: (await ledger.inStates(['waiting'])).map((j) => j.id).sort(),
        rendering: (await ledger.inStates(['rendering'])).map((j) => j.id),
        downloading: (await ledger.inStates(['downloading'])).map((j) => j.id),
        approvals: (await ledger.pendingApprovals()).map((j) => j.id),
        stored: (await ledger.stored()).map((j) => j.id),
        cleanup: (await ledger.pendingCleanup()).map((j) => j.id),
        mine: (await ledger.page({ requester: job.requester }, 0, 10)).jobs.map((j) => j.id),
      });
      const none = { accepted: [], rendering: [], downloading: [], approvals: [], stored: [], cleanup: [] };
      const steps: [Partial<Job>, Partial<Awaited<ReturnType<typeof lists>>>][] = [
        [
          {
            state: 'waiting',
            approval: { state: 'pending', requestedAt: 2_000, decidedAt: null, decidedBy: null },
          },
          { approvals: [job.id] },
        ],
        [{ approval: { state: 'approved', requestedAt: 2_000, decidedAt: 2_500, decidedBy: 'admin' } }, {}],
        [{ state: 'rendering', providerVideoId: 'video_1' }, { rendering: [job.id] }],
        [{ progress: 40 }, { rendering: [job.id] }],
        [
          { state: 'downloading', files: { video: '/data/v.mp4', thumbnail: null } },
          { downloading: [job.id], stored: [job.id] },
        ],
        [
          { state: 'deleted', cleanupDoneAt: null },
          { stored: [job.id], cleanup: [job.id] },
        ],
        [{ cleanupDoneAt: 9_000, filesRemovedAt: 9_000 }, {}],
      ];
      // Per step: the state's entry out and in, the approval list, the stored list, the owner's lists.
      const changedEntries = [3, 1, 2, 0, 3, 6, 2];
      for (const [change, expected] of steps) {
        const before = indexOps.length;
        const done = await ledger.transition(job.id, 3_000, () => change);
        expect(done.changed).toBe(true);
        const state = done.job!.state;
        const live = state !== 'deleted';
        expect(await lists()).toEqual({
          ...none,
          active: (live ? [other.id, job.id] : [other.id]).sort(),
          waiting: (state === 'waiting' ? [other.id, job.id] : [other.id]).sort(),
          mine: live ? [job.id] : [],
          ...expected,
        });
        // One write, with the entries that change and no others (a full set is about a dozen).
        expect(indexOps.slice(before)).toEqual([changedEntries.shift()]);
      }
      // What start() does for a ledger of an older version: every entry written again.
      const before = indexOps.length;
      await ledger.reindex(other.id, 10_000);
      expect(indexOps[before]).toBeGreaterThan(5);
      await store.close();
    });

    it('lists pages newest first from the index, without deleted jobs', async () => {
      const store = await open();
      const ledger = new JobLedger(store, silentLogger);
      const created: Job[] = [];
      for (let i = 0; i < 12; i++) created.push(await ledger.create(fields(`job ${i}`, 'alice', 1_000 + i)));
      await ledger.transition(created[11]!.id, 5_000, () => ({ state: 'deleted' }));
      const requester = created[0]!.requester;
      const first = await ledger.page({ requester }, 0, 5);
      expect(first.total).toBe(11);
      expect(first.jobs.map((j) => j.request.prompt)).toEqual(['job 10', 'job 9', 'job 8', 'job 7', 'job 6']);
      const third = await ledger.page({ requester }, 10, 5);
      expect(third.jobs.map((j) => j.request.prompt)).toEqual(['job 0']);
      await store.close();
    });
  },
);
