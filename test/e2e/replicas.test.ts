/**
 * Replicas on one Redis, as separate OS processes: three bot processes share one emulator and one
 * Redis namespace; 200 jobs are queued; one replica is killed with SIGKILL while work is under way.
 * Every job must be rendered exactly once (one provider create) and posted exactly once, and the
 * killed replica's jobs must be taken over when its leases lapse.
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
    const replicas = Array.from({ length: REPLICAS }, (_, i) =>
      startReplica({
        REDIS_URL,
        NAMESPACE: namespace,
        EMULATOR_URL: emulator!.url,
        JOURNAL: journal,
        DATA_DIR: join(dir, `replica-${i}`),
        LEASE_MS: '2000',
      }),
    );
    await Promise.all(replicas.map((r) => r.ready));

    // The commands come in through a fourth core that runs no loops (an adapter's front door).
    const store = await RedisStore.open(REDIS_URL, namespace);
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
      async () => (await front.activeJobs()).length === 0,
      150_000,
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
    expect(finishedAfterKillMs).toBeGreaterThan(0);
    for (const r of replicas.slice(1)) r.child.kill('SIGTERM');
    await store.close();
  }, 240_000);
});
