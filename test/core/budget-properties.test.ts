/**
 * Property tests (fast-check) of the budget book on both stores: any interleaving of reservations,
 * failures, moderation refusals, deletes (before and after the provider had the job), approvals,
 * denials and repeated settlements, run concurrently against two store instances on the same data,
 * never takes a budget past its limit or below zero, and every refund returns exactly what was
 * reserved, once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetBook, type BudgetSettings, settlementOf } from '../../src/core/budget-book.js';
import { type Job, JobSchema } from '../../src/core/job.js';
import { dollars, PriceTable } from '../../src/core/pricing.js';
import type { Requester } from '../../src/core/requester.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { REDIS_URL, storeKinds } from '../support/core-harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function openPair(kind: 'sqlite' | 'redis'): Promise<[Store, Store]> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sora-budget-prop-'));
    dirs.push(dir);
    const file = join(dir, 'ledger.sqlite');
    return [await SqliteStore.open(file), await SqliteStore.open(file)];
  }
  const ns = `budget-prop-${process.pid}-${Date.now()}`;
  return [await RedisStore.open(REDIS_URL, ns), await RedisStore.open(REDIS_URL, ns)];
}

/** How a job ends: each maps to the job fields `settlementOf` reads. */
const ENDINGS = [
  'delivered',
  'provider_failed',
  'moderation',
  'deleted_waiting',
  'deleted_rendering',
  'denied',
  'approved_then_delivered',
] as const;
type Ending = (typeof ENDINGS)[number];

function finishedJob(
  id: string,
  requester: Requester,
  cost: number,
  reservedAt: number,
  ending: Ending,
): Job {
  const base = {
    id,
    requester,
    channel: 'playground:room',
    conversation: 'playground:room',
    request: { kind: 'generate', prompt: 'p', seconds: '4', size: '720x1280', model: 'sora-2' },
    createdAt: reservedAt,
    updatedAt: reservedAt,
    cost: { micros: cost, reservedAt, day: '2026-12-02', month: '2026-12' },
  };
  const delivered = { state: 'delivered', providerVideoId: `v_${id}`, completedAt: reservedAt + 1 };
  const byEnding: Record<Ending, object> = {
    delivered,
    approved_then_delivered: { ...delivered, approval: { state: 'approved', requestedAt: reservedAt } },
    provider_failed: {
      state: 'failed',
      providerVideoId: `v_${id}`,
      failure: { code: 'provider_error', message: 'x', requestId: null },
    },
    moderation: {
      state: 'failed',
      providerVideoId: `v_${id}`,
      failure: { code: 'moderation_blocked', message: 'x', requestId: null },
    },
    deleted_waiting: { state: 'deleted' },
    deleted_rendering: { state: 'deleted', providerVideoId: `v_${id}` },
    denied: {
      state: 'failed',
      approval: { state: 'denied', requestedAt: reservedAt },
      failure: { code: 'approval_denied', message: 'x', requestId: null },
    },
  };
  return JobSchema.parse({ ...base, ...byEnding[ending] });
}

const LIMIT = dollars(2);
const settings = (): BudgetSettings => ({
  prices: new PriceTable(),
  userDay: LIMIT,
  userMonth: null,
  workspaceMonth: dollars(3),
  maxPendingPerUser: 4,
  timeZone: 'UTC',
  approvalAbove: null,
});

describe.each(storeKinds())('budget properties on %s', (kind) => {
  let a: Store;
  let b: Store;
  beforeAll(async () => {
    [a, b] = await openPair(kind);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('never overdraws, never goes below zero, refunds exactly what was reserved', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            user: fc.constantFrom('ann', 'ben', 'cy'),
            seconds: fc.constantFrom(4, 8, 12),
            ending: fc.constantFrom(...ENDINGS),
            settleTwice: fc.boolean(),
          }),
          { minLength: 1, maxLength: 14 },
        ),
        fc.scheduler(),
        async (commands, s) => {
          run++;
          const workspace = `w${run}-${Math.random().toString(36).slice(2, 8)}`;
          const books = [
            new BudgetBook(a, settings(), 'emulator'),
            new BudgetBook(b, settings(), 'emulator'),
          ];
          const now = Date.UTC(2026, 11, 2, 12);
          const reserved = new Map<string, { cost: number; job: Job }>();
          const settledOutcomes = new Map<string, string[]>();
          const check = async () => {
            for (const user of ['ann', 'ben', 'cy']) {
              const lines = await books[0]!.lines({ platform: 'playground', workspace, user }, now);
              for (const line of lines) {
                expect(line.used).toBeGreaterThanOrEqual(0);
                if (line.limit !== null) expect(line.used).toBeLessThanOrEqual(line.limit);
              }
            }
          };
          // Each command is a reservation then, later, its ending: all launched at once, in an order
          // the scheduler picks, alternating between the two store instances.
          const running = Promise.all(
            commands.map(async (c, i) => {
              const book = books[i % 2]!;
              const id = `${workspace}-j${i}`;
              const requester: Requester = {
                platform: 'playground',
                workspace,
                user: c.user,
                isAdmin: false,
              };
              const cost = dollars(0.1) * c.seconds;
              // The scheduler decides when each step starts; the steps then race in the stores.
              await s.schedule(Promise.resolve(`reserve ${id}`));
              const outcome = await book.reserve(id, requester, { model: 'sora-2' }, cost, now);
              await check();
              if (!outcome.ok) return;
              const job = finishedJob(id, requester, cost, now, c.ending);
              reserved.set(id, { cost, job });
              const settle = async (which: BudgetBook) => {
                await s.schedule(Promise.resolve(`settle ${id}`));
                const done = await which.settle(job, now + 1);
                settledOutcomes.set(id, [...(settledOutcomes.get(id) ?? []), done]);
              };
              await settle(book);
              if (c.settleTwice) await settle(books[(i + 1) % 2]!);
              await check();
            }),
          );
          // Releases scheduled steps as they come, also those scheduled after real store I/O.
          await s.waitFor(running);
          // Every reservation was settled exactly once, the way its ending says.
          for (const [id, { job }] of reserved) {
            const done = settledOutcomes.get(id) ?? [];
            expect(done.filter((d) => d !== 'already')).toEqual([settlementOf(job)]);
          }
          // The counters equal what the entries say: charged stays, refunds returned all of it.
          const charged = [...reserved.values()]
            .filter(({ job }) => settlementOf(job) === 'charged')
            .reduce((sum, { cost }) => sum + cost, 0);
          const ws = (await books[0]!.lines({ platform: 'playground', workspace, user: 'ann' }, now)).find(
            (l) => l.name === 'workspace-month',
          );
          expect(ws?.used).toBe(charged);
          const entries = await books[1]!.entries(`playground:${workspace}`, now - 1, now + 1);
          const sum = (k: string) => entries.filter((e) => e.kind === k).reduce((t, e) => t + e.micros, 0);
          expect(sum('reserve') - sum('refund')).toBe(charged);
          expect(sum('charge')).toBe(charged);
          for (const user of ['ann', 'ben', 'cy']) {
            const lines = await books[0]!.lines({ platform: 'playground', workspace, user }, now);
            expect(lines.find((l) => l.name === 'pending')?.used).toBe(0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
