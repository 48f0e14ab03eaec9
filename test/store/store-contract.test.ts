/**
 * The contract every Store implementation keeps, run on SQLite and on a real Redis, each time with
 * two store instances on the same data (two connections on one SQLite file; two clients on one
 * Redis namespace), so the atomic operations are checked against a second writer, not just against
 * concurrent promises in one client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespacedValues } from '../../src/store/key-values.js';
import { PRESENCE_GRACE_MS, RedisStore } from '../../src/store/redis-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { type Store, StoreError } from '../../src/store/store.js';
import { redis, skipWithout, TEST_REDIS_URL } from '../support/services.js';

const REDIS_URL = TEST_REDIS_URL;
// Redis too when one answers at TEST_REDIS_URL (test/support/services.ts).
const withRedis = !skipWithout(redis);

const dirs: string[] = [];
/** Each factory makes a fresh data set and returns how to open one more instance over it. */
const factories: [string, () => () => Promise<Store>][] = [
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'sora-store-'));
      dirs.push(dir);
      const file = join(dir, 'test.sqlite');
      return () => SqliteStore.open(file);
    },
  ],
  [
    'redis',
    () => {
      const ns = `test-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      return () => RedisStore.open(REDIS_URL, ns);
    },
  ],
];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(factories.filter(([name]) => name !== 'redis' || withRedis))(
  '%s store contract',
  (name, dataSet) => {
    const open = dataSet();
    let a: Store;
    let b: Store;
    /** Alternates between the two instances, so every race has both writers in it. */
    const either = (i: number) => (i % 2 === 0 ? a : b);
    beforeAll(async () => {
      [a, b] = [await open(), await open()];
    });
    afterAll(async () => {
      await a.close();
      await b.close();
    });

    it('round-trips TTL values, seen by the other instance, and expires them', async () => {
      await a.set('v', { n: 1, list: ['x'] });
      expect(await b.get('v')).toEqual({ n: 1, list: ['x'] });
      await b.delete('v');
      expect(await a.get('v')).toBeUndefined();
      await a.set('ttl', 'v', 50);
      expect(await b.get('ttl')).toBe('v');
      await sleep(120);
      expect(await b.get('ttl')).toBeUndefined();
    });

    it('creates a record once: of many concurrent creates exactly one wins', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          either(i).writeRecord({ key: 'r1', value: { i }, expectedVersion: 0 }),
        ),
      );
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'conflict')).toBe(true);
      const stored = await b.readRecord<{ i: number }>('r1');
      expect(stored?.version).toBe(1);
    });

    it('compare-and-set: concurrent increments that re-read on conflict lose no update', async () => {
      await a.writeRecord({ key: 'counter', value: { n: 0 }, expectedVersion: 0 });
      const increment = async (store: Store) => {
        for (;;) {
          const current = (await store.readRecord<{ n: number }>('counter'))!;
          const result = await store.writeRecord({
            key: 'counter',
            value: { n: current.value.n + 1 },
            expectedVersion: current.version,
          });
          if (result.ok) return;
        }
      };
      await Promise.all(Array.from({ length: 40 }, (_, i) => increment(either(i))));
      const final = await a.readRecord<{ n: number }>('counter');
      expect(final?.value.n).toBe(40);
      expect(final?.version).toBe(41);
    });

    it('a stale write fails and changes nothing, index changes included', async () => {
      await a.writeRecord({ key: 'r2', value: 'one', expectedVersion: 0 });
      const stale = await b.writeRecord({
        key: 'r2',
        value: 'two',
        expectedVersion: 0,
        indexAdd: [{ index: 'i-stale', member: 'r2', score: 1 }],
      });
      expect(stale).toEqual({ ok: false, reason: 'conflict' });
      expect((await a.readRecord('r2'))?.value).toBe('one');
      expect(await a.indexCount('i-stale')).toBe(0);
    });

    it('reads records since a held version: an unchanged one comes back as its version alone', async () => {
      await a.writeRecord({ key: 'since', value: { n: 1 }, expectedVersion: 0 });
      expect(await b.readRecordsSince(['since', 'nowhere'], [undefined, undefined])).toEqual([
        { version: 1, value: { n: 1 } },
        undefined,
      ]);
      expect(await b.readRecordsSince(['since', 'nowhere'], [1, 3])).toEqual([1, undefined]);
      await b.writeRecord({ key: 'since', value: { n: 2 }, expectedVersion: 1 });
      expect(await a.readRecordsSince(['since'], [1])).toEqual([{ version: 2, value: { n: 2 } }]);
      expect(await a.readRecordsSince([], [])).toEqual([]);
    });

    it('commits index adds and removes with the record', async () => {
      await a.writeRecord({
        key: 'r3',
        value: 1,
        expectedVersion: 0,
        indexAdd: [
          { index: 'i-a', member: 'r3', score: 5 },
          { index: 'i-b', member: 'r3', score: 6 },
        ],
      });
      expect(await b.indexScore('i-a', 'r3')).toBe(5);
      await b.writeRecord({
        key: 'r3',
        value: 2,
        expectedVersion: 1,
        indexAdd: [{ index: 'i-c', member: 'r3', score: 7 }],
        indexRemove: [{ index: 'i-a', member: 'r3' }],
      });
      expect(await a.indexScore('i-a', 'r3')).toBeUndefined();
      expect(await a.indexScore('i-b', 'r3')).toBe(6);
      expect(await a.indexScore('i-c', 'r3')).toBe(7);
      const records = await a.readRecordsSince(['r3', 'missing'], []);
      expect(records[0]).toMatchObject({ version: 2 });
      expect(records[1]).toBeUndefined();
      await a.deleteRecord('r3', [{ index: 'i-b', member: 'r3' }]);
      expect(await b.readRecord('r3')).toBeUndefined();
      expect(await b.indexCount('i-b')).toBe(0);
    });

    it('leases: one winner among many, renew by the holder, larger tokens after expiry', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => either(i).acquireLease('L1', `owner-${i}`, 10_000)),
      );
      const won = results.filter((l) => l !== undefined);
      expect(won).toHaveLength(1);
      const lease = won[0]!;
      expect((await b.leaseHolder('L1'))?.owner).toBe(lease.owner);
      const again = await a.acquireLease('L1', lease.owner, 10_000);
      expect(again?.token).toBe(lease.token);
      expect(await b.renewLease(lease, 10_000)).toBe(true);
      expect(await b.acquireLease('L1', 'intruder', 10_000)).toBeUndefined();
      await b.releaseLease({ ...lease, owner: 'intruder' });
      expect((await a.leaseHolder('L1'))?.owner).toBe(lease.owner);
      await a.releaseLease(lease);
      expect(await a.leaseHolder('L1')).toBeUndefined();
      const next = await b.acquireLease('L1', 'next', 60);
      expect(next!.token).toBeGreaterThan(lease.token);
      await sleep(120);
      // The lapsed holder can neither renew nor release what is no longer its lease.
      expect(await a.renewLease(next!, 10_000)).toBe(false);
      const third = await a.acquireLease('L1', 'third', 10_000);
      expect(third!.token).toBeGreaterThan(next!.token);
      await b.releaseLease(next!);
      expect((await a.leaseHolder('L1'))?.owner).toBe('third');
    });

    it('fencing: a write fenced by a lapsed token is refused; the new holder writes', async () => {
      await a.writeRecord({ key: 'fenced', value: 0, expectedVersion: 0 });
      const first = (await a.acquireLease('F', 'first', 50))!;
      await sleep(120);
      const second = (await b.acquireLease('F', 'second', 10_000))!;
      const late = await a.writeRecord({
        key: 'fenced',
        value: 'from the lapsed holder',
        expectedVersion: 1,
        fence: { lease: 'F', token: first.token },
      });
      expect(late).toEqual({ ok: false, reason: 'fenced' });
      const ok = await b.writeRecord({
        key: 'fenced',
        value: 'from the holder',
        expectedVersion: 1,
        fence: { lease: 'F', token: second.token },
      });
      expect(ok.ok).toBe(true);
      await b.releaseLease(second);
      const afterRelease = await b.writeRecord({
        key: 'fenced',
        value: 'after release',
        expectedVersion: 2,
        fence: { lease: 'F', token: second.token },
      });
      expect(afterRelease).toEqual({ ok: false, reason: 'fenced' });
    });

    /** Acquires for `owner` until it is granted (a gone holder's lease frees after Redis's grace). */
    const acquireWhenFree = async (
      store: Store,
      name: string,
      owner: string,
      withinMs = PRESENCE_GRACE_MS * 3,
      everyMs = 200,
    ) => {
      const deadline = Date.now() + withinMs;
      for (;;) {
        const lease = await store.acquireLease(name, owner, 60_000);
        if (lease || Date.now() > deadline) return lease;
        await sleep(everyMs);
      }
    };

    it("presence: a present holder's lease binds others; once its store closes it frees long before its TTL", async () => {
      const replica = await open();
      await replica.declarePresence('replica-1');
      const held = (await replica.acquireLease('P', 'replica-1', 60_000))!;
      const tokenless = (await replica.acquireLease('P-ttl', 'not-present', 60_000))!;
      expect(await a.acquireLease('P', 'other', 60_000)).toBeUndefined();
      expect(await b.leaseHolder('P')).toMatchObject({ owner: 'replica-1', watched: true });
      expect(await b.leaseHolder('P-ttl')).toMatchObject({ owner: 'not-present', watched: false });
      await replica.close();
      const taken = (await acquireWhenFree(a, 'P', 'other'))!;
      expect(taken.token).toBeGreaterThan(held.token);
      expect((await b.leaseHolder('P'))?.owner).toBe('other');
      // The dead holder's token records nothing: the fence names the new token now.
      await a.writeRecord({ key: 'presence-fenced', value: 0, expectedVersion: 0 });
      const late = await b.writeRecord({
        key: 'presence-fenced',
        value: 'from the dead holder',
        expectedVersion: 1,
        fence: { lease: 'P', token: held.token },
      });
      expect(late).toEqual({ ok: false, reason: 'fenced' });
      // An owner that never declared presence keeps its lease to the end of its TTL.
      expect(await a.acquireLease('P-ttl', 'other', 60_000)).toBeUndefined();
      expect((await b.leaseHolder('P-ttl'))?.token).toBe(tokenless.token);
      await a.releaseLease(taken);
    }, 30_000);

    it("presence: a repeatable holder's lease frees at the first look once its store closes, with no grace", async () => {
      const replica = await open();
      await replica.declarePresence('poller-1');
      const held = (await replica.acquireLease('R', 'poller-1', 60_000, { repeatable: true }))!;
      const careful = (await replica.acquireLease('R-grace', 'poller-1', 60_000))!;
      expect(await a.acquireLease('R', 'other', 60_000)).toBeUndefined();
      expect(await b.leaseHolder('R')).toMatchObject({ owner: 'poller-1', watched: true });
      await replica.close();
      // Redis sees the subscription end a moment after the close; from then, the first look takes it.
      const taken = await acquireWhenFree(a, 'R', 'other', PRESENCE_GRACE_MS / 2, 20);
      expect(taken?.token).toBeGreaterThan(held.token);
      // A lease taken without the option keeps the grace (on Redis; SQLite's presence has none).
      if (name === 'redis') {
        expect(await a.acquireLease('R-grace', 'other', 60_000)).toBeUndefined();
        expect((await b.leaseHolder('R-grace'))?.token).toBe(careful.token);
      }
      await a.releaseLease(taken!);
    }, 30_000);

    it('presence: a repeatable lease keeps the grace from beginSideEffect on; a stale or gone holder is refused', async () => {
      const replica = await open();
      await replica.declarePresence('stepper-1');
      const posting = (await replica.acquireLease('S', 'stepper-1', 60_000, { repeatable: true }))!;
      const downloading = (await replica.acquireLease('S2', 'stepper-1', 60_000, { repeatable: true }))!;
      const plain = (await replica.acquireLease('S3', 'stepper-1', 60_000))!;
      expect((await b.leaseHolder('S'))?.graceMs).toBe(0);
      expect((await b.leaseHolder('S3'))?.graceMs).toBe(name === 'redis' ? PRESENCE_GRACE_MS : 0);
      expect(await replica.beginSideEffect(posting)).toBe(true);
      expect(await b.leaseHolder('S')).toMatchObject({
        graceMs: name === 'redis' ? PRESENCE_GRACE_MS : 0,
        gone: false,
      });
      expect((await b.leaseHolder('S2'))?.graceMs).toBe(0);
      expect(await replica.beginSideEffect(plain)).toBe(true);
      expect(await replica.beginSideEffect({ ...posting, token: posting.token + 1 })).toBe(false);
      expect(await replica.beginSideEffect({ ...posting, owner: 'stepper-2' })).toBe(false);
      await replica.close();
      // Its process is gone: a side effect it had not begun must not begin now.
      const deadline = Date.now() + PRESENCE_GRACE_MS;
      while ((await a.beginSideEffect(downloading)) && Date.now() < deadline) await sleep(20);
      expect(await a.beginSideEffect(downloading)).toBe(false);
      // The lease that never began one is free at the first look.
      const taken = (await a.acquireLease('S2', 'other', 60_000))!;
      expect(taken.token).toBeGreaterThan(downloading.token);
      expect(await b.beginSideEffect(downloading)).toBe(false);
      expect(await a.beginSideEffect(taken)).toBe(true);
      if (name === 'redis') {
        // Gone, but no acquire has started its grace yet: nobody can say when it ends.
        expect(await b.leaseHolder('S')).toMatchObject({ gone: true, graceEndsAt: null });
        // The one that began a post keeps the grace: its holder may only have lost its connection.
        const lookedAt = Date.now();
        expect(await a.acquireLease('S', 'other', 60_000)).toBeUndefined();
        // Still bound, and known to be a gone holder's (what its post left may be looked at).
        const bound = (await b.leaseHolder('S'))!;
        expect(bound).toMatchObject({ token: posting.token, gone: true });
        expect(bound.graceEndsAt).toBeGreaterThan(Date.now());
        expect(bound.graceEndsAt).toBeLessThanOrEqual(Date.now() + PRESENCE_GRACE_MS);
        expect(bound.graceEndsAt).toBeGreaterThanOrEqual(lookedAt + PRESENCE_GRACE_MS - 50);
        // Free when it says: one acquire right after the end takes it.
        await sleep(bound.graceEndsAt! - Date.now() + 20);
        const atEnd = (await a.acquireLease('S', 'other', 60_000))!;
        expect(atEnd.token).toBeGreaterThan(posting.token);
        await a.releaseLease(atEnd);
      }
      const after = (await acquireWhenFree(a, 'S', 'other'))!;
      expect(after.token).toBeGreaterThan(posting.token);
      await a.releaseLease(after);
      await a.releaseLease(taken);
    }, 30_000);

    it('presence: once endSideEffect says the side effect is done, the lease keeps no grace', async () => {
      const replica = await open();
      await replica.declarePresence('poster-1');
      const posted = (await replica.acquireLease('E', 'poster-1', 60_000, { repeatable: true }))!;
      expect(await replica.beginSideEffect(posted)).toBe(true);
      expect(await replica.endSideEffect({ ...posted, token: posted.token + 1 })).toBe(false);
      expect((await b.leaseHolder('E'))?.graceMs).toBe(name === 'redis' ? PRESENCE_GRACE_MS : 0);
      expect(await replica.endSideEffect(posted)).toBe(true);
      expect(await b.leaseHolder('E')).toMatchObject({ token: posted.token, graceMs: 0, gone: false });
      await replica.close();
      // Free at the first look that finds its holder gone, well inside what the grace would have been.
      const taken = await acquireWhenFree(a, 'E', 'other', PRESENCE_GRACE_MS / 2, 20);
      expect(taken?.token).toBeGreaterThan(posted.token);
      expect(await a.endSideEffect(posted)).toBe(false);
      await a.releaseLease(taken!);
    }, 30_000);

    // Only Redis presence can drop and come back (a subscriber connection reconnecting); a closed
    // SQLite store is gone for good, and its lease frees at once.
    it.skipIf(name !== 'redis')(
      'presence: a holder whose presence comes back (a reconnect) keeps its lease',
      async () => {
        const first = await open();
        await first.declarePresence('replica-2');
        const held = (await first.acquireLease('P2', 'replica-2', 60_000))!;
        await first.close();
        // Someone looks while it is away (on Redis this starts the grace), then it is back.
        expect(await a.acquireLease('P2', 'other', 60_000)).toBeUndefined();
        const again = await open();
        await again.declarePresence('replica-2');
        await sleep(PRESENCE_GRACE_MS + 500);
        expect(await a.acquireLease('P2', 'other', 60_000)).toBeUndefined();
        expect(await b.leaseHolder('P2')).toMatchObject({ owner: 'replica-2', token: held.token });
        expect(await again.renewLease(held, 60_000)).toBe(true);
        await again.releaseLease(held);
        await again.close();
      },
      30_000,
    );

    it('a sliding window admits exactly `limit` events among concurrent takers', async () => {
      const now = Date.now();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => either(i).takeFromWindow('rpm', 5, 60_000, now)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(5);
      const refused = results.find((r) => !r.ok);
      expect(refused && !refused.ok && refused.retryInMs).toBeGreaterThan(59_000);
      expect(await b.windowCount('rpm', 60_000, now)).toBe(5);
      await a.returnToWindow('rpm', now);
      expect(await b.windowCount('rpm', 60_000, now)).toBe(4);
      // Events older than the window no longer count.
      expect((await a.takeFromWindow('rpm', 5, 60_000, now + 60_001)).ok).toBe(true);
      expect(await b.windowCount('rpm', 60_000, now + 60_001)).toBe(1);
    });

    it('slots: never more holders than the limit, a holder keeps its slot, release frees it', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => either(i).acquireSlot('running', `job-${i}`, 3)),
      );
      expect(results.filter(Boolean)).toHaveLength(3);
      const holders = await b.slotHolders('running');
      expect(holders).toHaveLength(3);
      expect(await a.acquireSlot('running', holders[0]!, 3)).toBe(true);
      expect(await a.acquireSlot('running', 'late', 3)).toBe(false);
      await b.releaseSlot('running', holders[0]!);
      expect(await a.acquireSlot('running', 'late', 3)).toBe(true);
    });

    it('counters: concurrent reservations never pass the maximum', async () => {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          either(i).addToCounter('budget', 0.8, { max: 10, ttlMs: 60_000 }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(12);
      expect(await b.counterValue('budget')).toBeCloseTo(9.6, 6);
      expect((await a.addToCounter('budget', -0.8)).value).toBeCloseTo(8.8, 6);
      expect(await a.counterValue('never-set')).toBe(0);
    });

    it('entries: posted once, every counter or none, and concurrent posts never pass a maximum', async () => {
      const reserve = (i: number) =>
        either(i).postEntry({
          once: { index: 'entries:once', member: `job${i}:reserve`, score: i },
          counters: [
            { name: 'spend:user', delta: 3, max: 1000 },
            { name: 'spend:team', delta: 3, max: 30, ttlMs: 60_000 },
            { name: 'pending:user', delta: 1 },
          ],
          indexAdd: [{ index: 'entries:log', member: `reserve|job${i}|3`, score: i }],
        });
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => reserve(i)));
      const accepted = results.filter((r) => r.ok);
      expect(accepted).toHaveLength(10);
      // A refused entry names the counter at fault and changes none of them.
      expect(results.find((r) => !r.ok)).toEqual({ ok: false, reason: 'over', counter: 1, value: 30 });
      expect(await b.counterValues(['spend:user', 'spend:team', 'pending:user', 'nothing'])).toEqual([
        30, 30, 10, 0,
      ]);
      expect(await a.indexCount('entries:log')).toBe(10);
      // Posting the same entry again (a retry after a lost reply) is a duplicate, on either instance.
      const first = results.findIndex((r) => r.ok);
      expect(await reserve(first)).toEqual({ ok: false, reason: 'duplicate' });
      // A refund (negative deltas) is never refused by a maximum, and moves entries between indexes.
      const refund = await b.postEntry({
        once: { index: 'entries:once', member: `job${first}:settle`, score: 1 },
        counters: [
          { name: 'spend:user', delta: -3, max: 1 },
          { name: 'spend:team', delta: -3, max: 1 },
          { name: 'pending:user', delta: -1 },
        ],
        indexRemove: [{ index: 'entries:log', member: `reserve|job${first}|3` }],
      });
      expect(refund).toEqual({ ok: true, values: [27, 27, 9] });
      expect(await a.indexCount('entries:log')).toBe(9);
      expect(await a.counterValue('spend:team')).toBe(27);
    });

    it('sorted indexes page by keyset in both orders, ties broken by member', async () => {
      const entries = Array.from({ length: 25 }, (_, i) => ({
        member: `m${String(i).padStart(2, '0')}`,
        score: Math.floor(i / 3),
      }));
      await Promise.all(entries.map((e, i) => either(i).indexAdd('pages', e.member, e.score)));
      expect(await a.indexCount('pages')).toBe(25);
      // The size is kept, not recounted: re-scoring a member or removing an absent one changes nothing.
      await b.indexAdd('pages', 'm01', 0);
      await a.indexRemove('pages', 'absent');
      expect(await b.indexCount('pages')).toBe(25);
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let after: { score: number; member: string } | undefined;
        for (;;) {
          const page = await either(seen.length).indexRange('pages', { limit: 4, order, after });
          if (page.length === 0) break;
          seen.push(...page.map((e) => e.member));
          const last = page[page.length - 1]!;
          after = { score: last.score, member: last.member };
        }
        const expected = entries.map((e) => e.member).sort();
        expect(seen).toEqual(order === 'asc' ? expected : [...expected].reverse());
      }
      await b.indexRemove('pages', 'm00');
      expect(await a.indexScore('pages', 'm00')).toBeUndefined();
    });

    it('namespaced values: markOnce is true once, putIfAbsent keeps the first value', async () => {
      const va = namespacedValues(a, 'adapter');
      const vb = namespacedValues(b, 'adapter');
      const marks = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? va : vb).markOnce('event-1', 10_000)),
      );
      expect(marks.filter(Boolean)).toHaveLength(1);
      expect(await va.putIfAbsent('secret', 'first')).toBe('first');
      expect(await vb.putIfAbsent('secret', 'second')).toBe('first');
      await va.set('x', 1);
      expect(await a.get('x')).toBeUndefined();
      expect(await vb.get('x')).toBe(1);
    });

    it('signals: a publish reaches every subscriber of its topic, on both instances, with its sender', async () => {
      const heard: string[] = [];
      const arrived = (n: number) =>
        new Promise<void>((resolve) => {
          const check = setInterval(() => {
            if (heard.length >= n) {
              clearInterval(check);
              resolve();
            }
          }, 5);
        });
      await a.signals.subscribe('work', (from) => heard.push(`a:work:${from}`));
      await b.signals.subscribe('work', (from) => heard.push(`b:work:${from}`));
      await b.signals.subscribe('other', (from) => heard.push(`b:other:${from}`));
      await a.signals.publish('work', 'replica-1');
      await arrived(2);
      await b.signals.publish('other', 'replica-2');
      await arrived(3);
      // Pub/sub keeps no order between connections: compare as sets.
      expect(heard.sort()).toEqual(['a:work:replica-1', 'b:other:replica-2', 'b:work:replica-1']);
    });

    it('answers ping', async () => {
      await expect(a.ping()).resolves.toBeUndefined();
    });
  },
);

describe('sqlite store durability and ownership', () => {
  it('keeps records, indexes and values across a close and reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sora-store-'));
    dirs.push(dir);
    const path = join(dir, 'durable.sqlite');
    const first = await SqliteStore.open(path, { exclusive: true });
    await first.writeRecord({
      key: 'job:abc',
      value: { state: 'waiting' },
      expectedVersion: 0,
      indexAdd: [{ index: 'active', member: 'abc', score: 1 }],
    });
    await first.set('plain', 'value');
    await first.close();
    const second = await SqliteStore.open(path, { exclusive: true });
    expect(await second.readRecord('job:abc')).toEqual({ value: { state: 'waiting' }, version: 1 });
    expect(await second.indexRange('active', { limit: 10, order: 'asc' })).toEqual([
      { index: 'active', member: 'abc', score: 1 },
    ]);
    expect(await second.get('plain')).toBe('value');
    await second.close();
  });
});

describe('redis store faults', () => {
  it.skipIf(!withRedis)(
    'runs its scripts again after Redis forgot them (a restart, SCRIPT FLUSH)',
    async () => {
      const store = await RedisStore.open(REDIS_URL, `flush-${process.pid}-${Date.now()}`);
      const admin = createClient({ url: REDIS_URL });
      await admin.connect();
      try {
        const first = await store.writeRecord({ key: 'r', value: { n: 1 }, expectedVersion: 0 });
        expect(first).toEqual({ ok: true, version: 1 });
        await admin.scriptFlush();
        const second = await store.writeRecord({ key: 'r', value: { n: 2 }, expectedVersion: 1 });
        expect(second).toEqual({ ok: true, version: 2 });
        expect(await store.readRecord('r')).toEqual({ version: 2, value: { n: 2 } });
      } finally {
        await admin.close();
        await store.close();
      }
    },
  );

  it('an unreachable Redis at start is one StoreError naming STORE_URL (password hidden) and the fix', async () => {
    const error = await RedisStore.open('redis://bot:hunter2@127.0.0.1:1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    const message = (error as StoreError).message;
    expect((error as StoreError).code).toBe('unreachable');
    expect(message).toContain('STORE_URL=redis://bot:***@127.0.0.1:1');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('\n');
  });
});
