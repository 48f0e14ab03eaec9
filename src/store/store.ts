/**
 * The persistence port. Everything that can race is an atomic operation of the store itself, so that
 * the same code is safe with one process on SQLite and with several replicas on one Redis:
 *
 * - **versioned records** with compare-and-set: a write names the version it read and fails when the
 *   record changed meanwhile (the caller re-reads and decides again). A write can carry index changes
 *   and a fence; all of it commits together or not at all;
 * - **leases with fencing tokens**: acquire, renew and release are atomic; every fresh acquisition gets
 *   a larger token, and a write fenced by a lapsed token is refused, so a holder that stalled past its
 *   lease cannot record over the one that took over;
 * - **counters**: a sliding request window, a bounded set of slots, and a bounded sum (budgets);
 * - **sorted indexes** (member + score) whose cost per write does not grow with history, read in
 *   pages by keyset;
 * - **TTL'd values** (dedupe keys, caches, adapter records) through keyv on the same backend.
 *
 * Two implementations run one contract suite (test/store): SQLite (better-sqlite3, the default, one
 * writing process per file) and Redis (Lua scripts, several replicas).
 */
import type { StoreSignals } from './store-signals.js';

export interface VersionedRecord<T = unknown> {
  value: T;
  /** 1 for a new record, +1 on every write. */
  version: number;
}

export interface IndexEntry {
  index: string;
  member: string;
  score: number;
}

/** A write is accepted only while this lease is held with this token. */
export interface Fence {
  lease: string;
  token: number;
}

export interface RecordWrite {
  key: string;
  value: unknown;
  /** The version the caller read; 0 means the record must not exist yet (create). */
  expectedVersion: number;
  fence?: Fence | undefined;
  /** Added (or re-scored) in the same transaction. */
  indexAdd?: readonly IndexEntry[];
  /** Removed in the same transaction. */
  indexRemove?: readonly Omit<IndexEntry, 'score'>[];
}

export type WriteResult =
  | { ok: true; version: number }
  /** `conflict`: the record is not at `expectedVersion`; `fenced`: the fence's lease is not held with that token. */
  | { ok: false; reason: 'conflict' | 'fenced' };

export interface LeaseOptions {
  /**
   * The holder's work is safe to run twice at once for a moment: every record it makes is a
   * compare-and-set and it has no side effect outside the store that a second holder would repeat
   * (the cluster's status poller), or it has one only after `beginSideEffect` (a submit's create, a
   * delivery's post). Then, once the holder's presence is gone, the lease is free at the first look,
   * without the grace that lets a reconnecting holder keep it (PRESENCE_GRACE_MS on Redis): a live
   * holder that loses it that way finds out at its next fenced write or renewal, or when
   * `beginSideEffect` refuses, and stops. Recorded by the holder with the lease; SQLite's presence is
   * exact and has no grace either way.
   */
  repeatable?: boolean;
}

export interface Lease {
  name: string;
  owner: string;
  /** Strictly larger for every fresh acquisition of this lease name. */
  token: number;
}

export interface LeaseHolder {
  owner: string;
  token: number;
  /** Epoch ms; null for a lease taken without a TTL. */
  expiresAt: number | null;
  /** The holder had declared presence: the lease ends as soon as its process does, before `expiresAt`. */
  watched: boolean;
  /**
   * How long the lease still binds once its holder's presence is gone (0: free at the next look). On
   * Redis, PRESENCE_GRACE_MS from `beginSideEffect` (from the start for a lease not taken
   * `repeatable`) until `endSideEffect`; otherwise 0. Always 0 on SQLite.
   */
  graceMs: number;
  /**
   * The holder had declared presence and it has ended, yet the lease still binds for the rest of its
   * grace (Redis, once a side effect began): the holder may only be reconnecting. What it did can be
   * looked at meanwhile (a create that landed is adopted), but nothing the holder would repeat may
   * start. Always false on SQLite, where such a lease is free at once.
   */
  gone: boolean;
  /**
   * Epoch ms (this process's clock, from the store's count of what is left) at which a gone holder's
   * grace ends and the lease is free: a waiting replica looks again right then, not at its next
   * round. Null when the holder is not gone, or no acquire has found it gone yet (the first one
   * starts the grace).
   */
  graceEndsAt: number | null;
}

export type WindowResult = { ok: true } | { ok: false; retryInMs: number };

/** One counter's change in a `postEntry`. */
export interface CounterChange {
  name: string;
  delta: number;
  /** A positive delta is refused when the counter would go above this. */
  max?: number | undefined;
  /** Applies when the counter is created (a budget's period). */
  ttlMs?: number | undefined;
}

/**
 * An accounting entry posted at most once: counters change together, or not at all, and the entry's
 * own index records (a usage log) are added in the same transaction.
 */
export interface EntryPost {
  /** The entry's identity: when this member is already in this index, nothing happens ('duplicate'). */
  once: IndexEntry;
  counters: readonly CounterChange[];
  indexAdd?: readonly IndexEntry[];
  indexRemove?: readonly Omit<IndexEntry, 'score'>[];
}

export type PostResult =
  | { ok: true; values: number[] }
  | { ok: false; reason: 'duplicate' }
  /** `counter` is the position in `counters` of the first one that would go above its max. */
  | { ok: false; reason: 'over'; counter: number; value: number };

export interface IndexPage {
  limit: number;
  order: 'asc' | 'desc';
  /** Keyset cursor: start strictly after this entry (in `order`). */
  after?: { score: number; member: string } | undefined;
  /** Entries to skip first (a page number's jump; costs what it skips, so keep it small). */
  offset?: number | undefined;
}

export interface Store {
  readonly kind: 'sqlite' | 'redis';

  // TTL'd values (keyv)
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;

  // Versioned records
  readRecord<T = unknown>(key: string): Promise<VersionedRecord<T> | undefined>;
  /**
   * Many records at once, for a caller that may already hold some of them: a record still at the
   * version in `held` (same position) comes back as its version alone, unread. The loops read the
   * same unchanged work lists tick after tick; this spares reading and parsing what did not change.
   */
  readRecordsSince<T = unknown>(
    keys: readonly string[],
    held: readonly (number | undefined)[],
  ): Promise<(VersionedRecord<T> | number | undefined)[]>;
  writeRecord(write: RecordWrite): Promise<WriteResult>;
  /** Removes a record (and index entries) outright; used to move a poisoned record aside. */
  deleteRecord(key: string, indexRemove?: readonly Omit<IndexEntry, 'score'>[]): Promise<void>;

  // Leases
  /**
   * Takes the lease when it is free, expired, or held by an owner whose presence ended (a new, larger
   * token), or renews it when `owner` already holds it (same token). Without `ttlMs` it never expires.
   * Undefined when someone else holds it.
   */
  acquireLease(
    name: string,
    owner: string,
    ttlMs?: number,
    options?: LeaseOptions,
  ): Promise<Lease | undefined>;
  /** Extends a lease still held with this token; false when it was lost. */
  renewLease(lease: Lease, ttlMs: number): Promise<boolean>;
  /** Frees the lease if still held with this token (a lapsed holder frees nothing). */
  releaseLease(lease: Lease): Promise<void>;
  /**
   * Called right before a step's side effect outside the store that a second holder would repeat (a
   * paid create, a post): true when the lease is still held with this token by a holder whose presence
   * is there, and from then on it keeps the reconnect grace even if it was taken `repeatable`. False:
   * it was taken over, or the holder's presence is down (a takeover may come at any moment); the side
   * effect must not start. One atomic step, so a takeover lands either before it (refused) or after
   * (it waits out the grace).
   */
  beginSideEffect(lease: Lease): Promise<boolean>;
  /**
   * Called once the side effect is done and everything a second holder needs to find it is recorded
   * (a post whose file and messages are checkpointed): the lease keeps no grace from then on, as if
   * taken `repeatable`, so a holder that dies before it records the outcome is taken over at the next
   * look, and its successor finds what it did instead of waiting. False (nothing changed) when the
   * lease is no longer held with this token.
   */
  endSideEffect(lease: Lease): Promise<boolean>;
  /** Who holds the lease now; undefined when it is free, lapsed, or its holder's presence ended. */
  leaseHolder(name: string): Promise<LeaseHolder | undefined>;
  /**
   * Declares that `owner` (a process's instance id) is alive for as long as this store stays open in
   * this process. Leases it takes from then on end soon after that stops (the process dies, even by
   * SIGKILL, or closes the store), instead of when their TTL runs out: a dead replica's jobs move
   * within seconds. Redis: a subscription on the store's second connection, which closes with the
   * process; its leases free once it has been gone for PRESENCE_GRACE_MS (a reconnect comes back
   * sooner). SQLite: exact, and known within this process only (one bot process per file; its start
   * frees the step leases).
   */
  declarePresence(owner: string): Promise<void>;
  /**
   * Frees every lease whose name starts with `prefix`, whoever holds it (their tokens stay spent).
   * Only for holders known to be dead: the SQLite bot at start, holding the file's writer lock.
   */
  breakLeases(prefix: string): Promise<number>;

  // Counters
  /**
   * Sliding window: records one event at `now` and returns ok when fewer than `limit` events fall in
   * `(now - windowMs, now]`; otherwise records nothing and says when the oldest leaves the window.
   */
  takeFromWindow(name: string, limit: number, windowMs: number, now: number): Promise<WindowResult>;
  /** Returns a recorded event (e.g. a request the provider refused before doing anything). */
  returnToWindow(name: string, at: number): Promise<void>;
  /** Events recorded in the window (for estimates). */
  windowCount(name: string, windowMs: number, now: number): Promise<number>;
  /** A bounded set: true when `member` holds a slot now (already held, or one was free). */
  acquireSlot(name: string, member: string, limit: number): Promise<boolean>;
  releaseSlot(name: string, member: string): Promise<void>;
  slotHolders(name: string): Promise<string[]>;
  /**
   * Adds `delta` to a counter unless the result would exceed `max`; returns the value after (or the
   * unchanged value with ok false). `ttlMs` applies when the counter is created (a budget's period).
   */
  addToCounter(
    name: string,
    delta: number,
    options?: { max?: number; ttlMs?: number },
  ): Promise<{ ok: boolean; value: number }>;
  counterValue(name: string): Promise<number>;
  counterValues(names: readonly string[]): Promise<number[]>;
  /**
   * Posts an accounting entry atomically: every counter changes, or none does (one over its max
   * refuses the whole entry), and an entry already posted changes nothing. Budgets reserve, charge
   * and refund through it, so no interleaving of replicas can overdraw or refund twice.
   */
  postEntry(post: EntryPost): Promise<PostResult>;

  // Sorted indexes
  indexAdd(index: string, member: string, score: number): Promise<void>;
  indexRemove(index: string, member: string): Promise<void>;
  indexRange(index: string, page: IndexPage): Promise<IndexEntry[]>;
  indexCount(index: string): Promise<number>;
  indexScore(index: string, member: string): Promise<number | undefined>;

  /** Wake-ups between the processes on this store (store-signals.ts); best effort. */
  readonly signals: StoreSignals;

  /** A cheap round trip, for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Raised when the store itself is unusable (unreachable Redis, a SQLite file held by another process). */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: 'unreachable' | 'locked',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
