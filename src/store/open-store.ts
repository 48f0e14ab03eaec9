/**
 * Picks the store from STORE_URL: `redis://` / `rediss://` -> Redis, `sqlite://PATH` -> that file,
 * unset -> `DATA_DIR/sora-bot.sqlite`.
 */
import { join } from 'node:path';
import { RedisStore } from './redis-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export async function openStore(options: {
  storeUrl?: string | undefined;
  dataDir: string;
  namespace?: string;
  /** The bot process itself: a SQLite file is taken with a writer lock (see SqliteWriterLock). */
  exclusive?: boolean;
}): Promise<Store> {
  const url = options.storeUrl;
  if (url?.startsWith('redis://') || url?.startsWith('rediss://'))
    return RedisStore.open(url, options.namespace);
  const path = url?.startsWith('sqlite://')
    ? url.slice('sqlite://'.length)
    : join(options.dataDir, 'sora-bot.sqlite');
  return SqliteStore.open(path, {
    ...(options.namespace ? { namespace: options.namespace } : {}),
    exclusive: options.exclusive ?? false,
  });
}
