/**
 * Budget periods and prices: day and month boundaries in a non-UTC zone (across a DST change), the
 * rollover of a budget at the boundary with an injected clock, the price table and SORA_PRICES.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { BudgetBook } from '../../src/core/budget-book.js';
import { daysOf, describeReset, periodAt } from '../../src/core/budget-periods.js';
import { cheaperOption } from '../../src/core/budget-replies.js';
import { dollars, formatUsd, PriceTable, parsePrices } from '../../src/core/pricing.js';
import { CAPABILITIES } from '../../src/sora/capabilities.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

describe('budget periods', () => {
  it('cuts days and months at local midnight, also across a DST change', () => {
    // 2026-10-25 is the day Europe/Paris leaves summer time: a 25-hour day.
    const at = Date.UTC(2026, 9, 25, 12);
    const day = periodAt('day', at, 'Europe/Paris');
    expect(day.key).toBe('2026-10-25');
    expect(new Date(day.startsAt).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(new Date(day.endsAt).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    const month = periodAt('month', at, 'Europe/Paris');
    expect(month.key).toBe('2026-10');
    expect(new Date(month.startsAt).toISOString()).toBe('2026-09-30T22:00:00.000Z');
    expect(new Date(month.endsAt).toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(daysOf(month, 'Europe/Paris')).toHaveLength(31);
    // 23:30 UTC on Nov 30 is already December in Paris, still November in New York.
    const lateNight = Date.UTC(2026, 10, 30, 23, 30);
    expect(periodAt('month', lateNight, 'Europe/Paris').key).toBe('2026-12');
    expect(periodAt('month', lateNight, 'America/New_York').key).toBe('2026-11');
    expect(periodAt('day', lateNight, 'UTC').key).toBe('2026-11-30');
    expect(describeReset(Date.UTC(2026, 0, 1, 6), Date.UTC(2026, 0, 1))).toBe('in 6 h');
  });

  it('answers from the period it remembers only for instants inside it, in any order of asking', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'UTC'] as const;
    const localDate = (at: number, timeZone: string) =>
      new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }).format(new Date(at));
    // Instants around the 2026 DST changes and month ends, asked in random order: each one hits or
    // misses the period the previous answer left behind.
    const instant = fc.integer({ min: Date.UTC(2026, 2, 27), max: Date.UTC(2026, 10, 2) });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(instant, fc.constantFrom(...zones)), { minLength: 1, maxLength: 40 }),
        (asks) => {
          for (const [at, zone] of asks) {
            const day = periodAt('day', at, zone);
            expect(day.startsAt <= at && at < day.endsAt).toBe(true);
            expect(day.key).toBe(localDate(at, zone));
            const month = periodAt('month', at, zone);
            expect(month.startsAt <= at && at < month.endsAt).toBe(true);
            expect(month.key).toBe(localDate(at, zone).slice(0, 7));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rolls a daily budget over at local midnight (injected time, Asia/Tokyo)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sora-rollover-'));
    const store = await SqliteStore.open(join(dir, 'ledger.sqlite'));
    try {
      const book = new BudgetBook(
        store,
        {
          prices: new PriceTable(),
          userDay: dollars(1),
          userMonth: null,
          workspaceMonth: null,
          maxPendingPerUser: 100,
          timeZone: 'Asia/Tokyo',
          approvalAbove: null,
        },
        'openai',
      );
      const r = { platform: 'slack' as const, workspace: 'T1', user: 'U1', isAdmin: false };
      const midnight = Date.UTC(2026, 11, 2, 15); // 2026-12-03 00:00 in Tokyo
      expect((await book.reserve('a', r, { model: 'sora-2' }, dollars(0.8), midnight - 1)).ok).toBe(true);
      const before = await book.reserve('b', r, { model: 'sora-2' }, dollars(0.8), midnight - 1);
      expect(before.ok).toBe(false);
      if (!before.ok) expect(before.budget.resetsAt).toBe(midnight);
      expect((await book.reserve('c', r, { model: 'sora-2' }, dollars(0.8), midnight)).ok).toBe(true);
      // A refund of yesterday's job goes back to yesterday's day, not today's.
      const lines = await book.lines(r, midnight);
      expect(lines.find((l) => l.name === 'user-day')?.used).toBe(dollars(0.8));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('prices', () => {
  it('has the published list, the most specific override winning', () => {
    const table = new PriceTable(parsePrices('sora-2=0.12, azure/sora-2=0.15, sora-2-pro@1792x1024=0.55'));
    expect(table.estimate({ provider: 'openai', model: 'sora-2', size: '720x1280', seconds: '8' })).toBe(
      dollars(0.96),
    );
    expect(table.estimate({ provider: 'azure', model: 'sora-2', size: '720x1280', seconds: '4' })).toBe(
      dollars(0.6),
    );
    expect(table.estimate({ provider: 'openai', model: 'sora-2-pro', size: '1792x1024', seconds: '4' })).toBe(
      dollars(2.2),
    );
    const published = new PriceTable();
    expect(published.perSecond('openai', 'sora-2-pro', '1280x720')).toBe(dollars(0.3));
    expect(published.perSecond('openai', 'sora-2-pro', '1024x1792')).toBe(dollars(0.5));
    expect(published.perSecond('openai', 'sora-2-pro', '1920x1080')).toBe(dollars(0.7));
    expect(published.perSecond('azure', 'sora-2', '1280x720')).toBe(dollars(0.1));
    expect(formatUsd(dollars(1204.5))).toBe('$1,204.50');
    expect(formatUsd(dollars(0.004))).toBe('$0.004');
  });

  it('refuses a bad SORA_PRICES at start with one line naming the entry', () => {
    expect(() => parseConfig({ SORA_PRICES: 'sora-3=0.1' })).toThrow(
      /SORA_PRICES: expected .*unknown model sora-3/,
    );
    expect(() => parseConfig({ SORA_PRICES: 'sora-2@640x480=0.1' })).toThrow(/unknown size 640x480/);
    expect(() => parseConfig({ SORA_PRICES: 'google/sora-2=0.1' })).toThrow(/unknown provider google/);
    expect(() => parseConfig({ SORA_PRICES: 'cheap' })).toThrow(/not \[provider\/\]model/);
    expect(() => parseConfig({ SORA_BUDGET_TZ: 'Mars/Olympus' })).toThrow(
      /SORA_BUDGET_TZ: expected an IANA time zone/,
    );
    expect(() => parseConfig({ SORA_BUDGET_USER_DAY: 'five' })).toThrow(
      /SORA_BUDGET_USER_DAY: expected an amount/,
    );
    expect(parseConfig({ SORA_BUDGET_USER_DAY: '$5' }).SORA_BUDGET_USER_DAY).toBe(5);
  });

  it('suggests the most video that still fits', () => {
    const table = new PriceTable();
    const estimate = (r: { model: string; size: string; seconds: string }) =>
      table.estimate({ provider: 'openai', ...r });
    const pro = { kind: 'generate' as const, model: 'sora-2-pro', size: '1024x1792', seconds: '12' };
    expect(cheaperOption(pro, dollars(4), CAPABILITIES.openai, estimate)).toEqual({
      options: '--seconds 8',
      micros: dollars(4),
    });
    expect(cheaperOption(pro, dollars(1.3), CAPABILITIES.openai, estimate)).toEqual({
      options: '--model sora-2 --size 720x1280',
      micros: dollars(1.2),
    });
    expect(cheaperOption(pro, dollars(0.3), CAPABILITIES.openai, estimate)).toBeNull();
    expect(cheaperOption({ ...pro, kind: 'remix' }, dollars(4), CAPABILITIES.openai, estimate)).toBeNull();
  });
});
