/**
 * A lease held for the length of one step with a side effect (submitting a job, delivering it, a
 * cluster-wide loop): taken with a fencing token, renewed in the background while the step runs, and
 * released at the end. Writes that record the step's outcome carry `fence`, so if the renewal ever
 * failed (a stalled process, a lost store) the store refuses them instead of letting two holders record.
 */
import type { Fence, Lease, LeaseOptions, Store } from '../store/store.js';
import { LeaseLostError } from './job-ledger.js';

export class HeldLease {
  private timer: NodeJS.Timeout | undefined;
  private lostAt: number | null = null;

  private constructor(
    private readonly store: Store,
    readonly lease: Lease,
    private readonly ttlMs: number,
  ) {}

  /** Takes the lease (or renews it when this owner already holds it); undefined when another holds it. */
  static async acquire(
    store: Store,
    name: string,
    owner: string,
    ttlMs: number,
    options?: LeaseOptions,
  ): Promise<HeldLease | undefined> {
    const lease = await store.acquireLease(name, owner, ttlMs, options);
    if (!lease) return undefined;
    const held = new HeldLease(store, lease, ttlMs);
    held.timer = setInterval(() => void held.renew(), Math.max(50, Math.floor(ttlMs / 3)));
    held.timer.unref();
    return held;
  }

  get fence(): Fence {
    return { lease: this.lease.name, token: this.lease.token };
  }

  /** True once a renewal found the lease gone: the step must stop before its next side effect. */
  get lost(): boolean {
    return this.lostAt !== null;
  }

  /**
   * Right before a side effect outside the store that a second holder would repeat (a paid create, a
   * post): confirms the lease is still ours, and keeps it ours through a dropped connection from now
   * on (Store.beginSideEffect). Throws LeaseLostError when it is not: the side effect must not start.
   */
  async beginSideEffect(): Promise<void> {
    if (this.lost || !(await this.store.beginSideEffect(this.lease)))
      throw new LeaseLostError(`lease ${this.lease.name} was taken over before its side effect`);
  }

  /**
   * Once the side effect is done and what a successor needs to find it is recorded: the lease keeps
   * no grace from now on (Store.endSideEffect). A failure only leaves the grace in place.
   */
  async endSideEffect(): Promise<void> {
    if (!this.lost) await this.store.endSideEffect(this.lease).catch(() => false);
  }

  private async renew(): Promise<void> {
    try {
      if (!(await this.store.renewLease(this.lease, this.ttlMs))) {
        this.lostAt = Date.now();
        clearInterval(this.timer);
      }
    } catch {
      // The store is briefly unreachable: the next renewal (a third of the TTL later) tries again.
    }
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    if (!this.lost) await this.store.releaseLease(this.lease).catch(() => undefined);
  }
}

/**
 * How long until a lease held by someone else may be free: a little after its expiry, at most its TTL.
 * A holder that declared presence frees it soon after its process dies (Store.declarePresence), which
 * no expiry tells, so such a lease is looked at again within `recheckMs` (a second unless the caller
 * has a reason to look sooner); once its holder is known gone, right when the grace it still binds
 * for ends.
 */
export async function untilLapse(
  store: Store,
  lease: string,
  recheckMs: number = PRESENCE_RECHECK_MS,
): Promise<number> {
  const holder = await store.leaseHolder(lease);
  if (!holder) return 50;
  if (holder.graceEndsAt !== null) return untilGraceEnds(holder.graceEndsAt, Date.now());
  const lapse = holder.expiresAt === null ? recheckMs : holder.expiresAt - Date.now() + 50;
  return Math.max(50, holder.watched ? Math.min(lapse, recheckMs) : lapse);
}

/**
 * The wait until a gone holder's grace has ended: a few ms past it (the end is the store's count,
 * read one round trip ago), never longer than the presence recheck nor shorter than a round trip.
 */
export function untilGraceEnds(graceEndsAt: number, now: number): number {
  return Math.min(
    PRESENCE_RECHECK_MS,
    Math.max(GRACE_END_MARGIN_MS, graceEndsAt - now + GRACE_END_MARGIN_MS),
  );
}

const PRESENCE_RECHECK_MS = 1_000;
const GRACE_END_MARGIN_MS = 10;
