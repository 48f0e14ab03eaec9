/**
 * One gateway session per token across replicas: two bot processes on one Redis, one fake Discord.
 * The first connects, the second stands by (it could still post videos through REST); when the first
 * is killed with SIGKILL, its lease ends with its Redis connection (after the store's 3 s grace for a
 * reconnect) and the second, looking every second, opens the gateway long before the lease's 20 s TTL
 * could lapse.
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
  it('is held by one replica; another takes it over as soon as the holder dies by SIGKILL', async () => {
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
    const killedAt = Date.now();
    await fake!.waitFor(() => identified() >= 2);
    // The lease was last renewed at most 5 s before the kill, so its TTL (20 s) could not free it in
    // under 15 s: only the dead holder's presence ending can have.
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    second.child.kill('SIGTERM');
  }, 90_000);
});
