/**
 * What both stores share: JSON values with TTLs through Keyv, under one namespace. The stores add
 * their own atomic claims and sets on top.
 */
import Keyv, { type KeyvStoreAdapter } from 'keyv';

export function openKeyv(adapter: KeyvStoreAdapter, namespace: string): Keyv {
  const keyv = new Keyv({ store: adapter, namespace, useKeyPrefix: true });
  keyv.on('error', () => {
    // Errors surface as rejected promises on the calls themselves; the emitter must not crash us.
  });
  return keyv;
}

export abstract class KeyvValues {
  protected constructor(protected readonly keyv: Keyv) {}

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.keyv.get(key)) as T | undefined;
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    await this.keyv.set(key, value, ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.keyv.delete(key);
  }
}
