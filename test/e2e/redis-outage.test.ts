/**
 * Redis lost mid-run: a private redis-server (append-only file, so a restart keeps what was
 * acknowledged) is stopped while jobs are rendering and started again a few seconds later. The loops
 * must back off and resume; every job is delivered, once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import { CoreHarness } from '../support/core-harness.js';
import { redisServer, skipWithout } from '../support/services.js';

const dirs: string[] = [];
const servers = new Set<ChildProcess>();
let harness: CoreHarness | undefined;

afterAll(async () => {
  await harness?.close().catch(() => undefined);
  for (const server of servers) server.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  servers.add(server);
  server.once('exit', () => servers.delete(server));
  await new Promise<void>((resolve, reject) => {
    server.stdout?.on('data', (d) => {
      if (String(d).includes('Ready to accept connections')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return server;
}

/**
 * A port found free may be taken by another process before redis-server binds it (a busy machine
 * runs many tests at once): then redis-server exits, and another port is tried.
 */
async function startRedisOnFreePort(dir: string): Promise<{ port: number; server: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { port, server: await startRedis(port, dir) };
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

describe.skipIf(skipWithout(redisServer))('Redis lost mid-run', () => {
  it('loops back off while Redis is down and finish every job once it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sora-redis-outage-'));
    dirs.push(dir);
    let { port, server: redis } = await startRedisOnFreePort(dir);
    harness = await CoreHarness.start({
      openStore: () => RedisStore.open(`redis://127.0.0.1:${port}`, 'outage'),
      emulator: { renderMs: 1_500 },
      settings: { maxConcurrent: 4 },
    });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(await harness.sendJob(`/sora an outage survivor ${i}`, { user: `u${i}` }));
    await harness.until(async () => {
      const jobs = await Promise.all(ids.map((id) => harness!.core.jobRecord(id)));
      return jobs.some((j) => j?.state === 'rendering');
    });
    // SIGTERM: Redis flushes its append-only file, as a managed Redis does on a failover.
    redis.kill('SIGTERM');
    await new Promise((r) => redis.once('exit', r));
    await new Promise((r) => setTimeout(r, 3_000));
    redis = await startRedis(port, dir);
    for (const id of ids) await harness.waitFor(id, ['delivered']);
    const posted = harness.surface.results().map((m) => m.message.job.id);
    expect(posted.sort()).toEqual([...ids].sort());
    expect(harness.emulator.videos()).toHaveLength(4);
  }, 120_000);
});
