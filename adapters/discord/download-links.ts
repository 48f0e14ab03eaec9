/**
 * Signed, expiring links to a job's original MP4 on the bot's own HTTP server, for when Discord only
 * got a smaller re-encode (upload limit). A link is `PUBLIC_URL/discord/videos/JOB.mp4?expires=MS&sig=HEX`
 * with sig = HMAC-SHA256(secret, "JOB.EXPIRES"); the secret is DOWNLOAD_LINK_SECRET or, when unset, one
 * generated once and kept in the store (so links survive a restart). Deleted jobs answer 404.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Clock } from '../../src/core/clock.js';
import type { Job } from '../../src/core/job.js';
import { SHORT_ID_PATTERN } from '../../src/core/short-id.js';
import { type HttpServer, sendJson } from '../../src/http/http-server.js';
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

/** GET/HEAD `/discord/videos/JOB.mp4?expires=&sig=`: streams the original MP4 of a live job. */
export function mountDownloadRoute(
  http: HttpServer,
  links: DownloadLinks,
  jobRecord: (jobId: string) => Promise<Job | undefined>,
): void {
  http.route('*', `${DOWNLOAD_ROUTE_PREFIX}*`, async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'use GET' } });
      return;
    }
    const match = /^([a-z0-9]+)\.mp4$/.exec(url.pathname.slice(DOWNLOAD_ROUTE_PREFIX.length));
    const jobId = match?.[1];
    const verdict =
      jobId && SHORT_ID_PATTERN.test(jobId)
        ? links.verify(jobId, url.searchParams.get('expires'), url.searchParams.get('sig'))
        : 'invalid';
    if (verdict !== 'ok') {
      sendJson(res, 403, {
        error: {
          code: verdict === 'expired' ? 'link_expired' : 'link_invalid',
          message: verdict === 'expired' ? 'this download link has expired' : 'invalid download link',
        },
      });
      return;
    }
    const job = await jobRecord(jobId!);
    const path = job && job.state !== 'deleted' ? job.files.video : null;
    const size = path
      ? await stat(path).then(
          (s) => s.size,
          () => null,
        )
      : null;
    if (!path || size === null) {
      sendJson(res, 404, { error: { code: 'not_found', message: 'this video is no longer available' } });
      return;
    }
    res.writeHead(200, {
      'content-type': 'video/mp4',
      'content-length': size,
      'content-disposition': `inline; filename="sora-${jobId}.mp4"`,
      'cache-control': 'private, no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
}
