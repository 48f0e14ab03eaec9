/** Identifiers in the provider's formats: `video_<hex>`, `req_<hex>`, `evt_<hex>`, `wh_<hex>`. */
import { randomUUID } from 'node:crypto';

export type IdPrefix = 'video' | 'req' | 'evt' | 'wh';

/** 32 hex digits (a v4 UUID's 122 random bits): `randomUUID` draws from a cached pool, not a system call per id. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
