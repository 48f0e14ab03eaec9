/**
 * `GET /metrics`: the Prometheus text exposition, guarded by the access decision of
 * src/metrics/metrics-access.ts. A token is compared as SHA-256 digests with timingSafeEqual, so the
 * time taken says nothing about how much of a guess was right. When metrics are off the route answers
 * 404 with the sentence that says how to turn them on (the one place an operator will look).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MetricsAccess } from '../metrics/metrics-access.js';
import { type HttpServer, sendJson } from './http-server.js';

export const METRICS_PATH = '/metrics';

export function mountMetrics(
  http: HttpServer,
  deps: { access: MetricsAccess; exposition: () => Promise<{ contentType: string; body: string }> },
): void {
  const { access } = deps;
  const expected = access.mode === 'token' ? sha256(access.token) : undefined;
  http.route('GET', METRICS_PATH, async (req, res) => {
    if (access.mode === 'off') {
      sendJson(res, 404, { error: { code: 'metrics_off', message: access.reason } });
      return;
    }
    if (expected && !bearerMatches(req.headers.authorization, expected)) {
      res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      sendJson(res, 401, {
        error: {
          code: 'unauthorized',
          message:
            'send the METRICS_TOKEN as Authorization: Bearer TOKEN (in Prometheus: authorization.credentials)',
        },
      });
      return;
    }
    const { contentType, body } = await deps.exposition();
    res.writeHead(200, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  });
}

function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(sha256(match[1]!), expected);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
