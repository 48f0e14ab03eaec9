/**
 * Replicas wake each other through the store. Two bot processes on one Redis namespace whose loops
 * never wake on their own time (CLOCK=woken-only in replica-bot.ts): whatever they do after start is
 * the doing of a wake. Jobs come in through a front door in this process that runs no loops, and one
 * provider event reaches that front door too, the way a webhook lands on any replica. The queue and
 * the poll must still happen: the front door's wakes reach the replicas through the store's signals.
 * Without them the jobs would sit in the queue until a replica's next idle look (30 s, or never here).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { EMULATOR_API_KEY } from '../../src/sora/index.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { REDIS_URL } from '../support/core-harness.js';
import { openFrontDoor, queueJobs } from '../support/front-door.js';
import { readJournal } from '../support/journal-surface.js';
import { type ScriptProcess, startScript } from '../support/script-process.js';
import { redis, skipWithout } from '../support/services.js';

const SCRIPT = join(import.meta.dirname, '../support/replica-bot.ts');
const JOBS = 4;

const children = new Set<ChildProcess>();
const dirs: string[] = [];
let emulator: RunningEmulator | undefined;
let store: RedisStore | undefined;

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await store?.close();
  await emulator?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Waits for `check`; past a bound far above any loaded machine's wait, fails saying what never came. */
async function until(check: () => Promise<boolean> | boolean, what: () => string): Promise<void> {
  const bound = Date.now() + 45_000;
  while (!(await check())) {
    if (Date.now() > bound) throw new Error(`never came: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skipWithout(redis))('replicas wake each other through the store', () => {
  it('a job queued and a render announced on a process that runs no loops are sent and delivered by the replicas', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sora-replica-wakes-'));
    dirs.push(dir);
    const namespace = `replica-wakes-${process.pid}-${Date.now()}`;
    const journal = join(dir, 'journal.jsonl');
    emulator = await startEmulator({
      // Long enough that the polls the submissions themselves wake cannot see a render finish.
      renderMs: 5_000,
      apiKey: EMULATOR_API_KEY,
      contentOverride: (_id, variant) =>
        variant === 'video' || variant === 'thumbnail'
          ? Readable.from([Buffer.from(`fake ${variant}`)])
          : undefined,
    });
    const replicas: ScriptProcess[] = ['a', 'b'].map((name) => {
      const replica = startScript(SCRIPT, {
        env: {
          ...process.env,
          REDIS_URL,
          NAMESPACE: namespace,
          EMULATOR_URL: emulator!.url,
          JOURNAL: journal,
          DATA_DIR: join(dir, `replica-${name}`),
          INSTANCE_ID: `replica-${name}`,
          LEASE_MS: '60000',
          CLOCK: 'woken-only',
        },
        readyLine: /ready/,
      });
      children.add(replica.child);
      return replica;
    });
    await Promise.all(replicas.map((r) => r.ready));

    store = await RedisStore.open(REDIS_URL, namespace);
    const front = openFrontDoor(store, emulator.url, dir, journal);
    const ids = await queueJobs(front, JOBS, 'woken job', (i) => `user${i}`);
    const replicaLogs = () => replicas.map((r) => r.stderr()).join('\n');

    // The queue: the front door's wake reached a replica's scheduler, which sent every job once.
    await until(
      () => emulator!.videos().length === JOBS,
      () => `sent: ${emulator!.videos().length}`,
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
      () => emulator!.videos().every((v) => v.status === 'completed'),
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
    const posts = readJournal(journal).filter((l) => l.type === 'delivery');
    expect(posts.map((p) => p.jobId).sort()).toEqual([...ids].sort());
    expect(emulator.videos()).toHaveLength(JOBS);
    for (const r of replicas) r.child.kill('SIGTERM');
  }, 120_000);
});
