/**
 * A namespaced view of the store for the parts that are not the ledger (adapters' own records, the
 * webhook receiver's dedupe keys): TTL'd values, once-only marks and sorted indexes, every key under
 * `NAMESPACE:`. Adapters get one of these and never the store itself, so they cannot touch the ledger.
 */
import { randomUUID } from 'node:crypto';
import type { IndexEntry, IndexPage, Lease, Store } from './store.js';

export interface KeyValues {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** True only for the first caller within `ttlMs` (platform retries, webhook redeliveries). */
  markOnce(key: string, ttlMs: number): Promise<boolean>;
  /** Stores `value` unless the key already holds one; returns whichever value the key holds now. */
  putIfAbsent(key: string, value: string): Promise<string>;
  indexAdd(index: string, member: string, score: number): Promise<void>;
  indexRemove(index: string, member: string): Promise<void>;
  indexRange(index: string, page: IndexPage): Promise<IndexEntry[]>;
  indexCount(index: string): Promise<number>;
  /**
   * A lease for something only one replica may do at a time (Discord's one gateway session per
   * token): taken when free or expired, renewed by its holder, released on shutdown.
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | undefined>;
  renewLease(lease: Lease, ttlMs: number): Promise<boolean>;
  releaseLease(lease: Lease): Promise<void>;
  /** Leases `owner` takes from then on end when this process does (Store.declarePresence). */
  declarePresence(owner: string): Promise<void>;
}

export function namespacedValues(store: Store, namespace: string): KeyValues {
  const k = (key: string) => `${namespace}:${key}`;
  return {
    get: (key) => store.get(k(key)),
    set: (key, value, ttlMs) => store.set(k(key), value, ttlMs),
    delete: (key) => store.delete(k(key)),
    // A fresh owner can only win a free lease: a repeat never renews the first caller's mark.
    markOnce: async (key, ttlMs) =>
      (await store.acquireLease(k(`once:${key}`), randomUUID(), ttlMs)) !== undefined,
    putIfAbsent: async (key, value) => {
      const name = k(`value:${key}`);
      const lease = await store.acquireLease(name, value);
      return lease?.owner ?? (await store.leaseHolder(name))?.owner ?? value;
    },
    indexAdd: (index, member, score) => store.indexAdd(k(index), member, score),
    indexRemove: (index, member) => store.indexRemove(k(index), member),
    indexRange: async (index, page) => (await store.indexRange(k(index), page)).map((e) => ({ ...e, index })),
    indexCount: (index) => store.indexCount(k(index)),
    acquireLease: (name, owner, ttlMs) => store.acquireLease(k(`lease:${name}`), owner, ttlMs),
    renewLease: (lease, ttlMs) => store.renewLease(lease, ttlMs),
    releaseLease: (lease) => store.releaseLease(lease),
    declarePresence: (owner) => store.declarePresence(owner),
  };
}
