/** Identifiers in the provider's formats: `video_<hex>`, `req_<hex>`, `evt_<hex>`, `wh_<hex>`. */
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'video' | 'req' | 'evt' | 'wh';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(16).toString('hex')}`;
}
