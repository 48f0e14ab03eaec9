/**
 * The budget book's names and encodings in the store: counter names per period, where admins'
 * limits live, and the usage-log and open-reservation members (compact JSON arrays, so a month of
 * entries is read as index members without a record read each).
 */
import type { Reservation, UsageEntry } from './budget-book.js';
import type { Requester } from './requester.js';

export function countersFor(ws: string, user: string, day: string, month: string) {
  return {
    userDay: `spend:${ws}:user:${user}:day:${day}`,
    userMonth: `spend:${ws}:user:${user}:month:${month}`,
    workspaceMonth: `spend:${ws}:month:${month}`,
    pending: `pending:${ws}:${user}`,
  };
}

export function personLimitsKey(ws: string, user: string): string {
  return `budget:limits:${ws}:user:${user}`;
}

export function workspaceLimitsKey(ws: string): string {
  return `budget:limits:${ws}`;
}

export function openMember(
  jobId: string,
  r: Pick<Requester, 'platform' | 'workspace' | 'user'>,
  model: string,
  reservation: Reservation,
): string {
  return JSON.stringify([
    jobId,
    r.platform,
    r.workspace,
    r.user,
    model,
    reservation.micros,
    reservation.reservedAt,
    reservation.day,
    reservation.month,
  ]);
}

export function parseOpenMember(member: string) {
  try {
    const [jobId, platform, workspace, user, model, micros, reservedAt, day, month] = JSON.parse(member) as [
      string,
      Requester['platform'],
      string,
      string,
      string,
      number,
      number,
      string,
      string,
    ];
    return { jobId, platform, workspace, user, model, reservation: { micros, reservedAt, day, month } };
  } catch {
    return undefined;
  }
}

export function parseEntry(member: string): UsageEntry | undefined {
  try {
    const [kind, jobId, micros, user, userName, model, at, reservedAt] = JSON.parse(member) as [
      UsageEntry['kind'],
      string,
      number,
      string,
      string | null,
      string,
      number,
      number,
    ];
    return { kind, jobId, micros, user, userName, model, at, reservedAt };
  } catch {
    return undefined;
  }
}
