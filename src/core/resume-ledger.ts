/**
 * What a starting bot does before its loops run: it takes over the work of the process before it.
 */
import type { CoreContext } from './core-context.js';

/**
 * Leases that belong to one process's step (broken at start on SQLite, where that process is gone).
 * `idempotency:` too: a command whose job was never created must go through when the platform
 * redelivers it (a key bound to a job is kept by its binding, not by the lease).
 */
export const STEP_LEASE_PREFIXES = [
  'submit:',
  'deliver:',
  'announce:',
  'cleanup:',
  'loop:',
  'idempotency:',
] as const;

/**
 * Takes over the unfinished jobs: on SQLite it breaks the dead predecessor's step leases (resume now,
 * not when they lapse), rewrites each unfinished job's indexes from its record, and binds again the
 * command key of a job accepted just before a crash.
 */
export async function resumeLedger(ctx: CoreContext): Promise<void> {
  const { ledger, clock, settings } = ctx;
  if (ledger.store.kind === 'sqlite')
    // One bot process per SQLite file (its writer lock): whoever held these leases is dead, so
    // resume its jobs now instead of when its leases run out.
    for (const prefix of STEP_LEASE_PREFIXES) await ledger.store.breakLeases(prefix);
  for (const job of await ledger.active()) {
    // A ledger imported from an older version has no per-state entries; a no-op for jobs already
    // indexed, and cheap: only active jobs.
    await ledger.reindex(job.id, clock.now());
    // A job accepted just before a crash keeps its command's key: no second job for a retry.
    if (job.state === 'accepted') await ledger.rebindIdempotency(job, settings.idempotencyTtlMs);
  }
}
