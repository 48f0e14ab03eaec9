/**
 * A replica killed in the middle of a create. On Redis its submit lease keeps the presence grace
 * from the create on (the holder may only be reconnecting; a new create then could pay twice), but a
 * create that already landed needs no wait: another replica adopts it while the lease still binds.
 * One that had not landed is not sent again until the grace ends. Every process here counts the grace
 * as ten minutes (RedisStore.open's presenceGraceMs), so whatever happens in the test happens within
 * it, except where a test waits a short grace out.
 */
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { submitLease } from '../../src/core/submission-scheduler.js';
import { startEmulator } from '../../src/sora/emulator/index.js';
import { EMULATOR_API_KEY } from '../../src/sora/index.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { REDIS_URL } from '../support/core-harness.js';
import { openFrontDoor, queueJobs } from '../support/front-door.js';
import { readJournal } from '../support/journal-surface.js';
import { ReplicaBed } from '../support/replica-bed.js';
import type { ScriptProcess } from '../support/script-process.js';
import { redis, skipWithout } from '../support/services.js';
import { until } from '../support/until.js';

const GRACE_MS = String(10 * 60_000);

const beds: ReplicaBed[] = [];
afterAll(async () => {
  for (const bed of beds) await bed.close();
});

/**
 * A bed with its emulator, the test's own store and front door, and `replica` to start replicas that
 * count the grace as `graceMs` (`env` for all of them). No lease TTL runs out within a test.
 */
async function openBed(name: string, graceMs: string, env: Record<string, string> = {}) {
  const b = new ReplicaBed(name);
  beds.push(b);
  const emulator = await startEmulator({ renderMs: 300, apiKey: EMULATOR_API_KEY });
  b.emulator = emulator;
  const store = await RedisStore.open(REDIS_URL, b.namespace, { presenceGraceMs: Number(graceMs) });
  b.store = store;
  const front = openFrontDoor(store, emulator.url, b.dir, b.journal);
  const replica = (replicaName: string, more: Record<string, string> = {}) =>
    b.startReplica(replicaName, { LEASE_MS: GRACE_MS, PRESENCE_GRACE_MS: graceMs, ...env, ...more });
  return { b, emulator, store, front, replica };
}

/** SIGKILL, as the kernel ends a process: its Redis connections close with it. */
async function kill(replica: ScriptProcess): Promise<void> {
  const exited = once(replica.child, 'exit');
  replica.child.kill('SIGKILL');
  await exited;
}

/** The jobs posted, in order, by every replica of the bed. */
function posted(b: ReplicaBed): (string | null)[] {
  return readJournal(b.journal)
    .filter((l) => l.type === 'delivery')
    .map((l) => l.jobId);
}

describe.skipIf(skipWithout(redis))('a replica killed in the middle of a create', () => {
  it('what its create made is adopted within the grace; what it had not sent waits the grace out', async () => {
    // Only the grace may keep a lease.
    const { b, emulator, store, front, replica } = await openBed('gone-submitter', GRACE_MS);
    // Both queued before it starts, so its first pass sends both (a pass ends when its creates do).
    const [landed] = await queueJobs(front, 1, 'a create that landed', () => 'ana');
    const [unsent] = await queueJobs(front, 1, 'a create never sent', () => 'ben');
    const first = replica('replica-a', {
      HOLD_AFTER_CREATE: 'a create that landed 0',
      HOLD_BEFORE_CREATE: 'a create never sent 0',
    });
    await first.ready;
    const heldBy = async (id: string) => store.leaseHolder(submitLease(id));
    // Both creates have begun (the lease keeps the grace from then on); one reached the provider.
    await until(
      async () =>
        emulator.videos().length === 1 &&
        (await heldBy(landed!))?.graceMs === Number(GRACE_MS) &&
        (await heldBy(unsent!))?.graceMs === Number(GRACE_MS),
      () => `both creates under way: ${emulator.videos().length} made`,
    );
    const before = (await heldBy(landed!))!;
    expect(before).toMatchObject({ owner: 'replica-a', gone: false });

    await kill(first);
    await until(
      async () => (await heldBy(landed!))?.gone === true,
      () => 'Redis saw its connection close',
    );
    const second = replica('replica-b', { LOG_LEVEL: 'info' });
    await second.ready;

    await until(
      async () => (await front.jobRecord(landed!))?.state === 'delivered',
      () => `delivered; replica-b said:\n${second.stderr()}`,
    );
    const adopted = (await front.jobRecord(landed!))!;
    expect(adopted.providerVideoId).toBe(emulator.videos()[0]!.id);
    // Still the dead replica's lease: the render was adopted within the grace, not after it.
    expect(await heldBy(landed!)).toMatchObject({ owner: 'replica-a', token: before.token, gone: true });
    expect(second.stderr()).toContain('adopted the provider job of a submission whose replica is gone');
    // The create that never reached the provider is not sent while the grace lasts, however often
    // replica-b has looked at it since: only the one render exists.
    expect((await front.jobRecord(unsent!))?.state).toBe('waiting');
    expect(emulator.videos()).toHaveLength(1);
    expect(posted(b)).toEqual([landed]);
    second.child.kill('SIGTERM');
  }, 120_000);

  it('a create it never sent goes out once the grace has ended, exactly once', async () => {
    // A grace short enough to wait out.
    const grace = '2000';
    const { b, emulator, store, front, replica } = await openBed('gone-submitter-end', grace);
    const [unsent] = await queueJobs(front, 1, 'a create never sent', () => 'ana');
    const first = replica('replica-a', { HOLD_BEFORE_CREATE: 'a create never sent 0' });
    await first.ready;
    await until(
      async () => (await store.leaseHolder(submitLease(unsent!)))?.graceMs === Number(grace),
      () => 'its create under way',
    );
    await kill(first);
    const second = replica('replica-b');
    await second.ready;
    // replica-b's queue pass finds the lease's holder gone (its grace starts then) and comes back when
    // the grace ends: the job goes out then, with the same key, and nothing else was made.
    await until(
      async () => (await front.jobRecord(unsent!))?.state === 'delivered',
      () => `delivered; replica-b said:\n${second.stderr()}`,
    );
    expect(emulator.videos()).toHaveLength(1);
    expect((await front.jobRecord(unsent!))?.providerVideoId).toBe(emulator.videos()[0]!.id);
    expect(posted(b)).toEqual([unsent]);
    second.child.kill('SIGTERM');
  }, 120_000);

  it('with every slot held by its creates, the render it left is still adopted and the queue goes on', async () => {
    // One slot for the cluster: the dead replica's create holds it, and nothing else may start.
    const { b, emulator, store, front, replica } = await openBed('gone-submitter-full', GRACE_MS, {
      MAX_CONCURRENT: '1',
    });
    const [landed] = await queueJobs(front, 1, 'a create that landed', () => 'ana');
    const [next] = await queueJobs(front, 1, 'the next in line', () => 'ben');
    const first = replica('replica-a', { HOLD_AFTER_CREATE: 'a create that landed 0' });
    await first.ready;
    await until(
      async () =>
        emulator.videos().length === 1 &&
        (await store.leaseHolder(submitLease(landed!)))?.graceMs === Number(GRACE_MS),
      () => `its create landed: ${emulator.videos().length} made`,
    );
    await kill(first);
    const second = replica('replica-b');
    await second.ready;
    // The queue has no room (the one slot is the landed job's), yet the landed render is adopted
    // within the grace, and once its render has left the provider the next job takes the slot.
    let states: (string | undefined)[] = [];
    await until(
      async () => {
        states = [(await front.jobRecord(landed!))?.state, (await front.jobRecord(next!))?.state];
        return states.every((state) => state === 'delivered');
      },
      () => `both delivered (${states.join(', ')}); replica-b said:\n${second.stderr()}`,
    );
    expect((await front.jobRecord(landed!))?.providerVideoId).toBe(emulator.videos()[0]!.id);
    expect(emulator.videos()).toHaveLength(2);
    // Each posted once; in either order (the adopted render has long finished, and its delivery races
    // the next job's short render).
    expect(posted(b).sort()).toEqual([landed, next].sort());
    second.child.kill('SIGTERM');
  }, 120_000);
});
