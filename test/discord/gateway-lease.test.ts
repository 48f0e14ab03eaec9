/**
 * One gateway session per token across replicas: two bot processes on one Redis, one fake Discord.
 * The first connects, the second stands by (it could still post videos through REST); when the first
 * is killed with SIGKILL, the second opens the gateway once the first one's lease lapses (30 s).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { afterAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord/index.js';
import { startScript } from '../support/script-process.js';
import { redis, skipWithout, TEST_REDIS_URL } from '../support/services.js';

const SCRIPT = join(import.meta.dirname, '../support/bot-process.ts');
// A database of its own: the bot's namespace is fixed, so the test clears this one first.
const REDIS_URL = Object.assign(new URL(TEST_REDIS_URL), { pathname: '/11' }).toString();

const children = new Set<ChildProcess>();
const dirs: string[] = [];
let fake: FakeDiscord | undefined;

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await fake?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function startReplica(name: string): { child: ChildProcess; ready: Promise<string> } {
  const dataDir = mkdtempSync(join(tmpdir(), `sora-gateway-${name}-`));
  dirs.push(dataDir);
  const replica = startScript(SCRIPT, {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dataDir,
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      STORE_URL: REDIS_URL,
      SORA_PROVIDER: 'emulator',
      DISCORD_TOKEN: fake!.token,
      DISCORD_APPLICATION_ID: fake!.applicationId,
      DISCORD_API_URL: fake!.apiBase,
    },
    readyLine: /ready: (.*)/,
  });
  children.add(replica.child);
  replica.child.once('exit', () => children.delete(replica.child));
  return { child: replica.child, ready: replica.ready.then((m) => m[1]!) };
}

describe.skipIf(skipWithout(redis))('the Discord gateway across replicas', () => {
  it('is held by one replica; another takes it over when the dead one’s lease lapses after a SIGKILL', async () => {
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    await redis.flushDb();
    await redis.quit();
    fake = await startFakeDiscord({ heartbeatIntervalMs: 1_000 });
    const first = startReplica('first');
    expect(await first.ready).toMatch(/logged in as/);
    const second = startReplica('second');
    expect(await second.ready).toMatch(/standing by/);
    const identified = () => fake!.gateway.sessions.length;
    expect(identified()).toBe(1);

    first.child.kill('SIGKILL');
    // The second replica identifies once the dead one's lease lapses (30 s). How soon is the lease's
    // business (its own tests use a clock); here only that it happens, bounded by the test's timeout.
    await fake!.waitFor(() => identified() >= 2);
    second.child.kill('SIGTERM');
  }, 90_000);
});
