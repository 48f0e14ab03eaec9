/**
 * Signed, expiring links to a job's original MP4 on the bot's own HTTP server, for when Discord only
 * got a smaller re-encode (upload limit). A link is `PUBLIC_URL/discord/videos/JOB.mp4?expires=MS&sig=HEX`
 * with sig = HMAC-SHA256(secret, "JOB.EXPIRES"); the secret is DOWNLOAD_LINK_SECRET or, when unset, one
 * generated once and kept in the store (so links survive a restart). The route that serves them is
 * download-route.ts.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../src/core/clock.js';
import type { KeyValues } from '../../src/store/key-values.js';

export const DOWNLOAD_ROUTE_PREFIX = '/discord/videos/';
/** Under the adapter's namespace: `discord:value:download-link-secret`. */
const SECRET_KEY = 'download-link-secret';

export class DownloadLinks {
  constructor(
    private readonly secret: string,
    private readonly publicUrl: string,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  static async open(input: {
    values: KeyValues;
    publicUrl: string;
    secret: string | undefined;
    ttlMs: number;
    clock: Clock;
  }): Promise<DownloadLinks> {
    let secret = input.secret;
    if (!secret) {
      // Set-if-absent: two replicas starting together agree on one secret.
      secret = await input.values.putIfAbsent(SECRET_KEY, randomBytes(32).toString('hex'));
    }
    return new DownloadLinks(secret, input.publicUrl.replace(/\/+$/, ''), input.ttlMs, input.clock);
  }

  urlFor(jobId: string): { url: string; expiresAt: number } {
    const expiresAt = this.clock.now() + this.ttlMs;
    const sig = this.sign(jobId, expiresAt);
    return {
      url: `${this.publicUrl}${DOWNLOAD_ROUTE_PREFIX}${jobId}.mp4?expires=${expiresAt}&sig=${sig}`,
      expiresAt,
    };
  }

  verify(jobId: string, expires: string | null, sig: string | null): 'ok' | 'expired' | 'invalid' {
    if (!expires || !sig || !/^\d{1,16}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return 'invalid';
    const expected = Buffer.from(this.sign(jobId, Number(expires)), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return 'invalid';
    return Number(expires) < this.clock.now() ? 'expired' : 'ok';
  }

  private sign(jobId: string, expiresAt: number): string {
    return createHmac('sha256', this.secret).update(`${jobId}.${expiresAt}`).digest('hex');
  }
}
