/**
 * Fair queue order: round-robin between requesters, so one person's ten requests don't starve
 * everyone else. Requesters served least recently go first; each person's own jobs stay in order.
 */
import type { Job } from './job.js';
import { requesterKey } from './requester.js';

export function fairOrder(
  waiting: readonly Job[],
  lastServedAt: { peek(key: string): number | undefined },
): Job[] {
  const groups = new Map<string, Job[]>();
  for (const job of [...waiting].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))) {
    const key = requesterKey(job.requester);
    const group = groups.get(key);
    if (group) group.push(job);
    else groups.set(key, [job]);
  }
  const requesters = [...groups.entries()].sort(
    ([ka, a], [kb, b]) =>
      (lastServedAt.peek(ka) ?? Number.NEGATIVE_INFINITY) -
        (lastServedAt.peek(kb) ?? Number.NEGATIVE_INFINITY) || a[0]!.createdAt - b[0]!.createdAt,
  );
  const ordered: Job[] = [];
  for (let round = 0; ordered.length < waiting.length; round++) {
    for (const [, jobs] of requesters) {
      const job = jobs[round];
      if (job) ordered.push(job);
    }
  }
  return ordered;
}
