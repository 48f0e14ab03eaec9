/**
 * Replicas wake each other through the store. Two bot processes on one Redis namespace whose loops
 * never wake on their own time (CLOCK=woken-only in replica-bot.ts): whatever they do after start is
 * the doing of a wake. Jobs come in through a front door in this process that runs no loops, and one
 * provider event reaches that front door too, the way a webhook lands on any replica. The queue and
 * the poll must still happen: the front door's wakes reach the replicas through the store's signals.
 * Without them the jobs would sit in the queue until a replica's next idle look (30 s, or never here).
 */
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/sora/emulator/index.js';
import { EMULATOR_API_KEY } from '../../src/sora/index.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { REDIS_URL } from '../support/core-harness.js';
import { openFrontDoor, queueJobs } from '../support/front-door.js';
import { readJournal } from '../support/journal-surface.js';
import { ReplicaBed } from '../support/replica-bed.js';
import { redis, skipWithout } from '../support/services.js';
import { until } from '../support/until.js';

const JOBS = 4;

let bed: ReplicaBed | undefined;
afterAll(async () => {
  await bed?.close();
});

describe.skipIf(skipWithout(redis))('replicas wake each other through the store', () => {
  it('a job queued and a render announced on a process that runs no loops are sent and delivered by the replicas', async () => {
    const b = new ReplicaBed('replica-wakes');
    bed = b;
    const emulator = await startEmulator({
      // Long enough that the polls the submissions themselves wake cannot see a render finish.
      renderMs: 5_000,
      apiKey: EMULATOR_API_KEY,
      contentOverride: (_id, variant) =>
        variant === 'video' || variant === 'thumbnail'
          ? Readable.from([Buffer.from(`fake ${variant}`)])
          : undefined,
    });
    b.emulator = emulator;
    const replicas = ['a', 'b'].map((name) =>
      b.startReplica(`replica-${name}`, { LEASE_MS: '60000', CLOCK: 'woken-only' }),
    );
    await Promise.all(replicas.map((r) => r.ready));

    const store = await RedisStore.open(REDIS_URL, b.namespace);
    b.store = store;
    const front = openFrontDoor(store, emulator.url, b.dir, b.journal);
    const ids = await queueJobs(front, JOBS, 'woken job', (i) => `user${i}`);
    const replicaLogs = () => replicas.map((r) => r.stderr()).join('\n');

    // The queue: the front door's wake reached a replica's scheduler, which sent every job once.
    await until(
      () => emulator.videos().length === JOBS,
      () => `sent: ${emulator.videos().length}`,
    );
    await until(
      async () => {
        const jobs = await Promise.all(ids.map((id) => front.jobRecord(id)));
        return jobs.every((j) => j?.providerVideoId);
      },
      () => 'every job has its render',
    );

    // The renders finish; no replica looks on its own. The event lands on the front door, whose wake
    // reaches the replica holding the poller lease; it finds them finished and they are delivered.
    await until(
      () => emulator.videos().every((v) => v.status === 'completed'),
      () => 'rendered',
    );
    const rendering = await Promise.all(ids.map((id) => front.jobRecord(id)));
    // Nobody looked since the renders finished: the replicas' loops sleep until woken.
    expect(rendering.map((j) => j?.state)).toEqual(
      ids.map(() => expect.stringMatching(/^(submitted|rendering)$/)),
    );
    // One event is enough: the poller it wakes refreshes every job that is due, all of them by now.
    expect(await front.pollVideoNow(rendering[0]!.providerVideoId!)).toBe(true);
    await until(
      async () => (await front.activeJobs()).length === 0,
      () => `delivered; replicas said:\n${replicaLogs()}`,
    );
    const states = await Promise.all(ids.map(async (id) => (await front.jobRecord(id))?.state));
    expect(states).toEqual(ids.map(() => 'delivered'));
    const posts = readJournal(b.journal).filter((l) => l.type === 'delivery');
    expect(posts.map((p) => p.jobId).sort()).toEqual([...ids].sort());
    expect(emulator.videos()).toHaveLength(JOBS);
    for (const r of replicas) r.child.kill('SIGTERM');
  }, 120_000);
});
