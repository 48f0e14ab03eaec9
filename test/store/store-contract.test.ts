import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const dirs: string[] = [];
const factories: [string, () => Promise<Store>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sora-store-'));
      dirs.push(dir);
      return SqliteStore.open(join(dir, 'test.sqlite'));
    },
  ],
  [
    'redis',
    () =>
      RedisStore.open(REDIS_URL, `test-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`),
  ],
];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(factories)('%s store contract', (_name, open) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store.close();
  });

  it('round-trips JSON values and deletes them', async () => {
    await store.set('a', { n: 1, list: ['x'] });
    expect(await store.get('a')).toEqual({ n: 1, list: ['x'] });
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
  });

  it('expires values after their TTL', async () => {
    await store.set('ttl', 'v', 50);
    expect(await store.get('ttl')).toBe('v');
    await new Promise((r) => setTimeout(r, 120));
    expect(await store.get('ttl')).toBeUndefined();
  });

  it('lets exactly one of many concurrent claimers win, renews for the holder, and releases', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.claim('lease', `owner-${i}`, 10_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = `owner-${results.indexOf(true)}`;
    expect(await store.claimHolder('lease')).toBe(winner);
    expect(await store.claim('lease', winner, 10_000)).toBe(true);
    expect(await store.claim('lease', 'someone-else', 10_000)).toBe(false);
    await store.releaseClaim('lease', 'someone-else');
    expect(await store.claimHolder('lease')).toBe(winner);
    await store.releaseClaim('lease', winner);
    expect(await store.claim('lease', 'someone-else', 10_000)).toBe(true);
  });

  it('frees a claim when its TTL runs out', async () => {
    expect(await store.claim('short', 'a', 50)).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    expect(await store.claim('short', 'b', 50)).toBe(true);
  });

  it('keeps sets without duplicates under concurrent writes', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.addToSet('s', `m${i % 10}`)));
    expect((await store.members('s')).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
    await store.removeFromSet('s', 'm3');
    expect(await store.members('s')).not.toContain('m3');
    expect(await store.members('missing')).toEqual([]);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe('sqlite store durability', () => {
  it('keeps values across a close and reopen of the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sora-store-'));
    dirs.push(dir);
    const path = join(dir, 'durable.sqlite');
    const first = await SqliteStore.open(path);
    await first.set('job:abc', { state: 'waiting' });
    await first.addToSet('active', 'abc');
    // A burst of concurrent changes to one set is group-committed: every awaited change is on disk.
    await Promise.all(Array.from({ length: 200 }, (_, i) => first.addToSet('burst', `m${i}`)));
    await Promise.all(Array.from({ length: 50 }, (_, i) => first.removeFromSet('burst', `m${i * 2}`)));
    await first.close();
    const second = await SqliteStore.open(path);
    expect(await second.get('job:abc')).toEqual({ state: 'waiting' });
    expect(await second.members('active')).toEqual(['abc']);
    const burst = await second.members('burst');
    expect(burst).toHaveLength(150);
    expect(burst).not.toContain('m0');
    expect(burst).toContain('m1');
    await second.close();
  });
});
