/**
 * readLegacyKeyvRows against a real file written by the old Keyv + @keyv/sqlite store
 * (test/fixtures/legacy-data-dir, see make-fixture.md there), checked against its manifest.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  dropLegacyTable,
  hasLegacyTable,
  type LegacyKeyvRow,
  readLegacyKeyvRows,
} from '../../src/store/legacy-import.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/legacy-data-dir');

interface Manifest {
  writtenBetween: [number, number];
  jobs: {
    id: string;
    state: string;
    requester: string;
    workspace: string;
    channel: string;
    prompt: string;
    idempotencyKey: string | null;
    statusRef: string | null;
    deliveredRef: string | null;
    providerVideoId: string | null;
    failureCode: string | null;
  }[];
  idempotency: { key: string; jobId: string };
  videoClaims: Record<string, string>;
  leases: Record<string, string>;
  playground: { rooms: string[]; lobby: string[] };
  expiredKeys: string[];
  rows: { key: string; expires: number | null }[];
}

const manifest = JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8')) as Manifest;
/** The instant the fixture was closed: what was live then is what the old bot would still have read. */
const WRITTEN = manifest.writtenBetween[1];
const unprefixed = (key: string) => key.slice('sora:'.length);

const dir = mkdtempSync(join(tmpdir(), 'sora-legacy-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let db: Database;
beforeEach(() => {
  // A copy: opening a WAL-mode file creates -wal/-shm files next to it, and some tests write.
  const file = join(dir, `legacy-${Math.random().toString(36).slice(2)}.sqlite`);
  copyFileSync(join(FIXTURE, 'sora-bot.sqlite'), file);
  db = new BetterSqlite3(file);
});
afterEach(() => db.close());

function byKey(rows: LegacyKeyvRow[]): Map<string, LegacyKeyvRow> {
  return new Map(rows.map((row) => [row.key, row]));
}

describe('readLegacyKeyvRows on the legacy fixture', () => {
  it('returns every row that was live when the file was written, unprefixed, with its expiry', () => {
    const rows = readLegacyKeyvRows(db, 'sora', { now: WRITTEN });
    const expected = manifest.rows.filter((row) => !manifest.expiredKeys.includes(row.key));
    expect(rows.map((row) => row.key)).toEqual(expected.map((row) => unprefixed(row.key)));
    expect(rows.map((row) => row.expiresAt)).toEqual(expected.map((row) => row.expires));
  });

  it('leaves out rows that had already expired, and more as time goes on', () => {
    expect(manifest.expiredKeys.length).toBeGreaterThan(0);
    const keys = new Set(readLegacyKeyvRows(db, 'sora', { now: WRITTEN }).map((row) => row.key));
    for (const key of manifest.expiredKeys) expect(keys.has(unprefixed(key))).toBe(false);

    const later = WRITTEN + 31 * 24 * 60 * 60 * 1000;
    const stillLive = manifest.rows
      .filter((row) => row.expires === null || row.expires >= later)
      .map((row) => unprefixed(row.key));
    expect(readLegacyKeyvRows(db, 'sora', { now: later }).map((row) => row.key)).toEqual(stillLive);
    // The 30-day Slack delivery record is gone by then; jobs (no TTL) are not.
    expect(stillLive.some((key) => key.startsWith('slack:delivery:'))).toBe(false);
    expect(stillLive.filter((key) => key.startsWith('job:'))).toHaveLength(manifest.jobs.length);
  });

  it('decodes the job records, in every state, with Keyv’s string escaping undone', () => {
    const rows = byKey(readLegacyKeyvRows(db, 'sora', { now: WRITTEN }));
    expect(new Set(manifest.jobs.map((job) => job.state))).toEqual(
      new Set(['waiting', 'rendering', 'delivering', 'delivered', 'failed', 'deleted']),
    );
    for (const job of manifest.jobs) {
      const record = rows.get(`job:${job.id}`)?.value as Record<string, unknown> & {
        requester: { platform: string; workspace: string; user: string };
        request: { prompt: string };
        failure: { code: string } | null;
      };
      expect(record).toMatchObject({
        id: job.id,
        state: job.state,
        channel: job.channel,
        idempotencyKey: job.idempotencyKey,
        statusRef: job.statusRef,
        deliveredRef: job.deliveredRef,
        providerVideoId: job.providerVideoId,
      });
      const r = record.requester;
      expect(`${r.platform}:${r.workspace}:${r.user}`).toBe(job.requester);
      // One prompt starts with ':' (a Slack emoji): stored as '::sparkles: …', read back as written.
      expect(record.request.prompt).toBe(job.prompt);
      expect(record.failure?.code ?? null).toBe(job.failureCode);
      expect(rows.get(`job:${job.id}`)?.expiresAt).toBeNull();
      expect(rows.get(`claim:jobid:${job.id}`)?.value).toBe(job.id);
    }
    expect(manifest.jobs.some((job) => job.prompt.startsWith(':'))).toBe(true);
  });

  it('keeps the indexes (sets) as arrays in insertion order, by requester and by workspace', () => {
    const rows = byKey(readLegacyKeyvRows(db, 'sora', { now: WRITTEN }));
    const terminal = ['delivered', 'failed', 'deleted'];
    expect(rows.get('set:jobs:active')?.value).toEqual(
      manifest.jobs.filter((job) => !terminal.includes(job.state)).map((job) => job.id),
    );
    const workspaces = new Set(manifest.jobs.map((job) => job.workspace));
    expect(workspaces.size).toBeGreaterThanOrEqual(2);
    for (const workspace of workspaces)
      expect(rows.get(`set:jobs:workspace:${workspace}`)?.value).toEqual(
        manifest.jobs.filter((job) => job.workspace === workspace).map((job) => job.id),
      );
    for (const requester of new Set(manifest.jobs.map((job) => job.requester)))
      expect(rows.get(`set:jobs:requester:${requester}`)?.value).toEqual(
        manifest.jobs.filter((job) => job.requester === requester).map((job) => job.id),
      );
    // The pending idempotency set was emptied (so deleted) once the key was bound.
    expect(rows.has('set:idempotency:pending')).toBe(false);
  });

  it('keeps claims (idempotency, video, lease) and the message index', () => {
    const rows = byKey(readLegacyKeyvRows(db, 'sora', { now: WRITTEN }));
    const { key, jobId } = manifest.idempotency;
    expect(rows.get(`idempotency:${key}:job`)?.value).toBe(jobId);
    expect(rows.get(`idempotency:${key}:job`)?.expiresAt).toEqual(expect.any(Number));
    expect(rows.get(`claim:idempotency:${key}`)?.value).toMatch(/^first:/);
    expect(rows.get(`claim:idempotency:${key}`)?.expiresAt).toEqual(expect.any(Number));
    for (const [claim, owner] of Object.entries({ ...manifest.videoClaims, ...manifest.leases }))
      expect(rows.get(claim.startsWith('claim:') ? claim : `claim:${claim}`)?.value).toBe(owner);
    for (const job of manifest.jobs) {
      const platform = job.requester.split(':')[0];
      if (job.statusRef) expect(rows.get(`message:${platform}:${job.statusRef}`)?.value).toBe(job.id);
      if (job.deliveredRef) expect(rows.get(`message:${platform}:${job.deliveredRef}`)?.value).toBe(job.id);
    }
  });

  it('keeps the adapters’ records: Slack delivery, Discord marks, playground rooms', () => {
    const rows = byKey(readLegacyKeyvRows(db, 'sora', { now: WRITTEN }));
    const slackDelivered = manifest.jobs.find(
      (job) => job.state === 'delivered' && job.requester.startsWith('slack:'),
    );
    expect(rows.get(`slack:delivery:${slackDelivered?.id}`)?.value).toEqual({
      fileId: 'F0FILE1',
      state: 'shared',
      controlsRef: slackDelivered?.deliveredRef,
    });
    expect(rows.get('discord:upload-limit:111111111111111111')?.value).toBe(10 * 1024 * 1024);
    expect(rows.get('set:playground:rooms')?.value).toEqual(manifest.playground.rooms);
    expect(rows.get('set:playground:room:lobby')?.value).toEqual(manifest.playground.lobby);
    for (const ref of manifest.playground.lobby)
      expect(rows.get(`playground:message:${ref}`)?.value).toMatchObject({ ref, room: 'lobby' });
  });

  it('reads nothing for another namespace', () => {
    expect(readLegacyKeyvRows(db, 'other', { now: WRITTEN })).toEqual([]);
  });
});

describe('readLegacyKeyvRows edge cases', () => {
  it('takes only keys of its namespace: not another case, not a longer name, not LIKE wildcards', () => {
    const insert = db.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)');
    insert.run('Sora:job:upper', '{"value":1}');
    insert.run('sora-x:job:longer', '{"value":2}');
    insert.run('sor_:job:wild', '{"value":3}');
    const keys = readLegacyKeyvRows(db, 'sora', { now: WRITTEN }).map((row) => row.key);
    expect(keys).toHaveLength(manifest.rows.length - manifest.expiredKeys.length);
    expect(
      keys.filter((key) => key.endsWith('upper') || key.endsWith('longer') || key.endsWith('wild')),
    ).toEqual([]);
  });

  it('decodes Buffers and null, skips undefined values, and reports rows it cannot decode', () => {
    db.exec('DELETE FROM keyv');
    const insert = db.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)');
    insert.run('sora:buffer', '{"value":":base64:YmFy"}');
    insert.run('sora:null', '{"value":null}');
    insert.run('sora:undefined', '{}');
    insert.run('sora:colon', '{"value":{"a":"::x","b":":y"}}');
    insert.run('sora:broken', '{"value":');
    insert.run('sora:array', '[1]');
    const invalid: string[] = [];
    const rows = readLegacyKeyvRows(db, 'sora', { now: WRITTEN, onInvalid: (key) => invalid.push(key) });
    expect(rows).toEqual([
      { key: 'buffer', value: Buffer.from('bar'), expiresAt: null },
      { key: 'colon', value: { a: ':x', b: 'y' }, expiresAt: null },
      { key: 'null', value: null, expiresAt: null },
    ]);
    expect(invalid.sort()).toEqual(['array', 'broken']);
  });

  it('keeps a row at its expiry instant (Keyv drops it only once now > expires)', () => {
    db.exec('DELETE FROM keyv');
    db.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)').run('sora:k', '{"value":1,"expires":1000}');
    expect(readLegacyKeyvRows(db, 'sora', { now: 1000 })).toHaveLength(1);
    expect(readLegacyKeyvRows(db, 'sora', { now: 1001 })).toEqual([]);
  });

  it('returns [] without the table, and dropLegacyTable drops it once and is a no-op after', () => {
    expect(hasLegacyTable(db)).toBe(true);
    dropLegacyTable(db);
    expect(hasLegacyTable(db)).toBe(false);
    expect(readLegacyKeyvRows(db)).toEqual([]);
    expect(() => dropLegacyTable(db)).not.toThrow();
    const empty = new BetterSqlite3(':memory:');
    expect(readLegacyKeyvRows(empty)).toEqual([]);
    empty.close();
  });

  it('drops the table inside a transaction that rolls back with it', () => {
    expect(() =>
      db.transaction(() => {
        dropLegacyTable(db);
        throw new Error('abort');
      })(),
    ).toThrow('abort');
    expect(hasLegacyTable(db)).toBe(true);
  });
});
