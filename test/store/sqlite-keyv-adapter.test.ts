/**
 * SqliteKeyvAdapter against keyv's own compliance suite (@keyv/test-suite: API, values, namespaces,
 * iterator), on a temp file, plus what the store relies on beyond it: two connections to one file,
 * namespaces that do not leak, the `expires` column and `sweepExpired`, and who closes the connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyvApiTests, keyvIteratorTests, keyvNamespaceTest, keyvValueTests } from '@keyv/test-suite';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import Keyv from 'keyv';
import * as vitest from 'vitest';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteKeyvAdapter } from '../../src/store/sqlite-keyv-adapter.js';

const dir = mkdtempSync(join(tmpdir(), 'sora-keyv-adapter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openFile(name: string): Database {
  const db = new BetterSqlite3(join(dir, name), { timeout: 5_000 });
  db.pragma('journal_mode = WAL');
  return db;
}

describe('@keyv/test-suite', () => {
  // One connection for the whole suite, as in the store: every `store()` is a new adapter on it, so
  // the suite's `clear()` in beforeEach empties what the next test reads.
  const db = openFile('suite.sqlite');
  afterAll(() => db.close());
  const store = () => new SqliteKeyvAdapter(db);
  keyvApiTests(vitest, Keyv, store);
  keyvValueTests(vitest, Keyv, store);
  keyvNamespaceTest(vitest, Keyv, store);
  keyvIteratorTests(vitest, Keyv, store);
});

describe('SqliteKeyvAdapter', () => {
  let file: string;
  let a: Database;
  let b: Database;

  beforeEach(() => {
    file = `own-${Math.random().toString(36).slice(2)}.sqlite`;
    a = openFile(file);
    b = openFile(file);
  });
  afterEach(() => {
    if (a.open) a.close();
    if (b.open) b.close();
  });

  it('two adapters on one file through two connections see each other’s writes', async () => {
    const one = new Keyv({ store: new SqliteKeyvAdapter(a), namespace: 'sora' });
    const two = new Keyv({ store: new SqliteKeyvAdapter(b), namespace: 'sora' });
    await one.set('slack:delivery:abc', { fileId: 'F1', state: 'shared' });
    expect(await two.get('slack:delivery:abc')).toEqual({ fileId: 'F1', state: 'shared' });
    await two.set('playground:rooms', ['lobby'], 60_000);
    expect(await one.get('playground:rooms')).toEqual(['lobby']);
    expect(await one.has('playground:rooms')).toBe(true);
    await one.delete('playground:rooms');
    expect(await two.get('playground:rooms')).toBeUndefined();
  });

  it('keeps namespaces apart: get, has, clear and iterator', async () => {
    const sora = new Keyv({ store: new SqliteKeyvAdapter(a), namespace: 'sora' });
    // 'Sora' and 'sor_' would both match `LIKE 'sora:%'`; 'sora-x' shares the prefix without the colon.
    const others = ['Sora', 'sor_', 'sora-x'].map(
      (namespace) => new Keyv({ store: new SqliteKeyvAdapter(a), namespace }),
    );
    await sora.set('k', 'mine');
    await sora.set('k2', 'mine too');
    for (const other of others) await other.set('k', `theirs (${other.namespace})`);

    expect(await sora.get('k')).toBe('mine');
    for (const other of others) expect(await other.get('k')).toBe(`theirs (${other.namespace})`);

    const seen: [string, unknown][] = [];
    for await (const entry of sora.iterator!(undefined)) seen.push(entry as [string, unknown]);
    expect(seen).toEqual([
      ['k', 'mine'],
      ['k2', 'mine too'],
    ]);

    await sora.clear();
    expect(await sora.has('k')).toBe(false);
    for (const other of others) expect(await other.get('k')).toBe(`theirs (${other.namespace})`);
  });

  it('keeps the expiry in its own column, equal to the one keyv serialized', async () => {
    const keyv = new Keyv({ store: new SqliteKeyvAdapter(a), namespace: 'sora' });
    await keyv.set('forever', 1);
    await keyv.set('brief', 2, 60_000);
    await keyv.setMany([{ key: 'many', value: 3, ttl: 30_000 }]);
    const rows = a.prepare('SELECT key, value, expires FROM kv ORDER BY key').all() as {
      key: string;
      value: string;
      expires: number | null;
    }[];
    expect(rows.map((r) => [r.key, r.expires === null])).toEqual([
      ['sora:brief', false],
      ['sora:forever', true],
      ['sora:many', false],
    ]);
    for (const row of rows) {
      const serialized = JSON.parse(row.value) as { expires?: number };
      expect(row.expires).toBe(serialized.expires ?? null);
    }
  });

  it('sweepExpired removes only the rows whose expiry has passed, in every namespace', async () => {
    const adapter = new SqliteKeyvAdapter(a);
    const sora = new Keyv({ store: adapter, namespace: 'sora' });
    const other = new Keyv({ store: new SqliteKeyvAdapter(b), namespace: 'other' });
    await sora.set('forever', 'a');
    await sora.set('short', 'b', 1_000);
    await sora.set('long', 'c', 3_600_000);
    await other.set('short', 'd', 1_000);
    const expiresOf = (key: string) =>
      (a.prepare('SELECT expires FROM kv WHERE key = ?').get(key) as { expires: number }).expires;
    const shortExpiry = expiresOf('sora:short');

    expect(await adapter.sweepExpired(shortExpiry - 5_000)).toBe(0);
    // At its expiry instant keyv still returns a value (it expires when now > expires): kept.
    expect(await adapter.sweepExpired(shortExpiry)).toBe(0);
    expect(await adapter.sweepExpired(expiresOf('other:short') + 1)).toBe(2);

    const keys = (a.prepare('SELECT key FROM kv ORDER BY key').all() as { key: string }[]).map((r) => r.key);
    expect(keys).toEqual(['sora:forever', 'sora:long']);
    expect(await sora.get('long')).toBe('c');
  });

  it('has() is false for an expired row that keyv has not removed yet', async () => {
    const adapter = new SqliteKeyvAdapter(a);
    const keyv = new Keyv({ store: adapter, namespace: 'sora' });
    await keyv.set('gone', 'x', 1);
    await keyv.set('here', 'y', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await keyv.has('gone')).toBe(false);
    expect(await keyv.has(['gone', 'here', 'never'])).toEqual([false, true, false]);
    expect(a.prepare('SELECT count(*) AS n FROM kv').get()).toEqual({ n: 2 });
  });

  it('iterates past rows keyv deletes while iterating (pages by key, not by offset)', async () => {
    const adapter = new SqliteKeyvAdapter(a, { iterationLimit: 3 });
    const keyv = new Keyv({ store: adapter, namespace: 'sora' });
    const live: string[] = [];
    for (let i = 0; i < 20; i++) {
      const key = `k${String(i).padStart(2, '0')}`;
      if (i % 2 === 0) await keyv.set(key, i, 1);
      else {
        await keyv.set(key, i);
        live.push(key);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    const seen: string[] = [];
    for await (const [key] of keyv.iterator!(undefined)) seen.push(key as string);
    expect(seen).toEqual(live);
    expect(a.prepare('SELECT count(*) AS n FROM kv').get()).toEqual({ n: live.length });
  });

  it('disconnect() leaves a shared connection open and closes an owned one', async () => {
    const shared = new Keyv({ store: new SqliteKeyvAdapter(a), namespace: 'sora' });
    await shared.disconnect();
    expect(a.open).toBe(true);
    const owned = new Keyv({ store: new SqliteKeyvAdapter(b, { ownsConnection: true }), namespace: 'sora' });
    await owned.disconnect();
    expect(b.open).toBe(false);
  });

  it('uses the table it is given, and refuses a name that is not an identifier', async () => {
    const keyv = new Keyv({ store: new SqliteKeyvAdapter(a, { table: 'ttl_values' }), namespace: 'sora' });
    await keyv.set('k', 'v');
    expect(a.prepare('SELECT key FROM ttl_values').all()).toEqual([{ key: 'sora:k' }]);
    expect(() => new SqliteKeyvAdapter(a, { table: 'kv; DROP TABLE x' })).toThrow(/invalid table name/);
  });
});
