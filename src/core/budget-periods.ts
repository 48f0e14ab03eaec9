/**
 * Budget periods (a day, a month) in the team's time zone (`SORA_BUDGET_TZ`): keys that name them
 * (`2026-12-02`, `2026-12`) and the instants at which they begin and end, across DST changes.
 * Only the Intl API is used, so any IANA zone Node knows works.
 */

export type PeriodKind = 'day' | 'month';

export interface Period {
  kind: PeriodKind;
  /** `YYYY-MM-DD` or `YYYY-MM`, in the zone. */
  key: string;
  startsAt: number;
  endsAt: number;
}

interface LocalDate {
  year: number;
  month: number; // 1..12
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Node knows the zone (checked by the config schema). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function localParts(
  at: number,
  timeZone: string,
): LocalDate & { hour: number; minute: number; second: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The zone's offset from UTC at `at`, in ms (east positive). */
function offsetAt(at: number, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant the local date begins (local midnight), found by two offset corrections for DST. */
function startOfLocalDate(date: LocalDate, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  return guess;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * The last period found per kind and zone. Most calls fall in it (a budget check asks about `now`,
 * `/sora usage` walks its entries in time order), and finding one costs five Intl formats: a profile
 * of the queue benchmark put 1.5% of the bot's time there. Bounded by the zones in use (a few).
 */
const lastPeriods = new Map<string, Period>();

export function periodAt(kind: PeriodKind, at: number, timeZone: string): Period {
  const cacheKey = `${kind} ${timeZone}`;
  const last = lastPeriods.get(cacheKey);
  // Every instant from a period's start to its end has the same local date, so the same period.
  if (last && last.startsAt <= at && at < last.endsAt) return last;
  const period = Object.freeze(findPeriod(kind, at, timeZone));
  lastPeriods.set(cacheKey, period);
  return period;
}

function findPeriod(kind: PeriodKind, at: number, timeZone: string): Period {
  const p = localParts(at, timeZone);
  if (kind === 'day') {
    const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
    return {
      kind,
      key: `${p.year}-${pad(p.month)}-${pad(p.day)}`,
      startsAt: startOfLocalDate(p, timeZone),
      endsAt: startOfLocalDate(
        { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() },
        timeZone,
      ),
    };
  }
  return monthPeriod(p.year, p.month, timeZone);
}

export function monthPeriod(year: number, month: number, timeZone: string): Period {
  const nextYear = month === 12 ? year + 1 : year;
  const nextMonth = month === 12 ? 1 : month + 1;
  return {
    kind: 'month',
    key: `${year}-${pad(month)}`,
    startsAt: startOfLocalDate({ year, month, day: 1 }, timeZone),
    endsAt: startOfLocalDate({ year: nextYear, month: nextMonth, day: 1 }, timeZone),
  };
}

/** The days of a period, in order (one for a day period). */
export function daysOf(period: Period, timeZone: string): Period[] {
  const days: Period[] = [];
  let at = period.startsAt;
  while (at < period.endsAt && days.length < 32) {
    const day = periodAt('day', at, timeZone);
    days.push(day);
    at = day.endsAt;
  }
  return days;
}

/** `in 6 h`, `in 3 days`, `tomorrow at 00:00`: when a limit resets, in words. */
export function describeReset(endsAt: number, now: number): string {
  const ms = Math.max(0, endsAt - now);
  const hours = ms / 3_600_000;
  if (hours < 1) return `in ${Math.max(1, Math.round(ms / 60_000))} min`;
  if (hours < 48) return `in ${Math.round(hours)} h`;
  return `in ${Math.round(hours / 24)} days`;
}
