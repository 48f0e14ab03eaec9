/**
 * Replicas on one Redis, as separate OS processes: three bot processes share one emulator and one
 * Redis namespace; 200 jobs are queued; one replica is killed with SIGKILL while work is under way.
 * Every job must be rendered exactly once (one provider create) and posted exactly once, and the
 * killed replica's work must be taken over at once: its leases last ten minutes, far past the test's
 * deadline, so only its presence ending (its Redis connection closing with the process) can free them.
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
const JOBS = 200;
const REPLICAS = 3;
// Longer than the whole test may take: a lease freed by its TTL would fail it.
const LEASE_MS = 10 * 60_000;

const children = new Set<ChildProcess>();
const dirs: string[] = [];
let emulator: RunningEmulator | undefined;

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await emulator?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function startReplica(env: Record<string, string>): ScriptProcess {
  const replica = startScript(SCRIPT, { env: { ...process.env, ...env }, readyLine: /ready/ });
  children.add(replica.child);
  replica.child.once('exit', () => children.delete(replica.child));
  return replica;
}

describe.skipIf(skipWithout(redis))('replicas on one Redis', () => {
  it(`${REPLICAS} processes, ${JOBS} jobs, one SIGKILL: every job created once and posted once`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sora-replicas-'));
    dirs.push(dir);
    const namespace = `replicas-${process.pid}-${Date.now()}`;
    const journal = join(dir, 'journal.jsonl');
    emulator = await startEmulator({
      renderMs: 400,
      apiKey: EMULATOR_API_KEY,
      maxRunning: 10_000,
      // The bytes are not what is tested here: skip ffmpeg.
      contentOverride: (_id, variant) =>
        variant === 'video' || variant === 'thumbnail'
          ? Readable.from([Buffer.from(`fake ${variant}`)])
          : undefined,
    });
    const replica = (i: number) =>
      startReplica({
        REDIS_URL,
        NAMESPACE: namespace,
        EMULATOR_URL: emulator!.url,
        JOURNAL: journal,
        DATA_DIR: join(dir, `replica-${i}`),
        LEASE_MS: String(LEASE_MS),
        INSTANCE_ID: `replica-${i}`,
      });
    const store = await RedisStore.open(REDIS_URL, namespace);
    // The replica to be killed starts first and takes the cluster's poller lease: while it holds it,
    // nobody else sees a render finish, so its death must hand the lease over.
    const first = replica(0);
    await first.ready;
    const replicas = [first, ...Array.from({ length: REPLICAS - 1 }, (_, i) => replica(i + 1))];
    await Promise.all(replicas.map((r) => r.ready));
    expect((await store.leaseHolder('loop:poller'))?.owner).toBe('replica-0');

    // The commands come in through a fourth core that runs no loops (an adapter's front door).
    const front = openFrontDoor(store, emulator.url, dir, journal);
    const ids = await queueJobs(front, JOBS, 'replica job', (i) => `user${i % 7}`);

    const delivered = () => readJournal(journal).filter((l) => l.type === 'delivery');
    const waitFor = async (check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline)
          throw new Error(`${what}; replicas said:\n${replicas.map((r) => r.stderr()).join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    // Kill one replica while work is under way on all of them.
    await waitFor(() => delivered().length >= JOBS / 5, 90_000, 'no deliveries');
    replicas[0]!.child.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      async () => (await store.leaseHolder('loop:poller'))?.owner !== 'replica-0',
      30_000,
      "the dead replica's poller lease was never taken over",
    );
    await waitFor(
      async () => (await front.activeJobs()).length === 0,
      120_000,
      `jobs still active after the kill: ${(await front.activeJobs()).map((j) => `${j.id}:${j.state}`).join(' ')}`,
    );
    const finishedAfterKillMs = Date.now() - killedAt;

    const states = await Promise.all(ids.map(async (id) => (await front.jobRecord(id))?.state));
    expect(states.filter((s) => s !== 'delivered')).toEqual([]);
    // Exactly one post per job.
    const posts = new Map<string, number>();
    for (const line of delivered()) posts.set(line.jobId!, (posts.get(line.jobId!) ?? 0) + 1);
    expect(posts.size).toBe(JOBS);
    expect([...posts.values()].filter((n) => n !== 1)).toEqual([]);
    // Exactly one provider create per job (the emulator keeps every job it was asked to start).
    const prompts = emulator.videos().map((v) => v.prompt);
    expect(prompts).toHaveLength(JOBS);
    expect(new Set(prompts).size).toBe(JOBS);
    expect(finishedAfterKillMs).toBeLessThan(LEASE_MS);
    for (const r of replicas.slice(1)) r.child.kill('SIGTERM');
    await store.close();
  }, 240_000);
});
