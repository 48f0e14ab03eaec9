/**
 * The per-attachment upload limit of each guild. Discord has moved it (25 MiB -> 10 MiB in 2025, maybe
 * 20 MiB later), so it is never hard-coded: every interaction carries `attachment_size_limit`, the
 * last one seen per guild is kept in the store (a delivery may happen after a restart, long after
 * the command), and a 413 / 40005 answer lowers it (docs/platforms.md, Upload limits).
 */
import { LruMap } from '../../src/core/lru-map.js';
import type { KeyValues } from '../../src/store/key-values.js';

/** Used until an interaction from the guild told us better: the lowest limit Discord has had lately. */
export const FALLBACK_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/** Under the adapter's namespace: `discord:upload-limit:GUILD`. */
const key = (guildId: string) => `upload-limit:${guildId}`;

export class UploadLimits {
  /** Bounded: one entry per guild the bot has posted in. */
  private readonly known = new LruMap<string, number>(10_000);

  constructor(private readonly store: KeyValues) {}

  async get(guildId: string): Promise<number> {
    const cached = this.known.get(guildId);
    if (cached !== undefined) return cached;
    const stored = await this.store.get<number>(key(guildId));
    const limit = typeof stored === 'number' && stored > 0 ? stored : FALLBACK_UPLOAD_LIMIT_BYTES;
    this.known.set(guildId, limit);
    return limit;
  }

  /** Records the limit an interaction reported; writes only when it changed. */
  async remember(guildId: string, limit: number | null | undefined): Promise<void> {
    if (typeof limit !== 'number' || !Number.isFinite(limit) || limit <= 0) return;
    if (this.known.get(guildId) === limit) return;
    this.known.set(guildId, limit);
    await this.store.set(key(guildId), limit);
  }

  /** Discord refused a file of `refusedBytes`: the real limit is below it. */
  async lowerBelow(guildId: string, refusedBytes: number): Promise<number> {
    const current = await this.get(guildId);
    const lowered = Math.min(current, Math.floor(refusedBytes * 0.9));
    this.known.set(guildId, lowered);
    await this.store.set(key(guildId), lowered);
    return lowered;
  }
}
