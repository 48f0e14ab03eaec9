/**
 * `GET /playground/media/:jobId/video|thumbnail`: streams a finished job's files from DATA_DIR with
 * Range support, so the page's <video> can seek. Gone (404) once the job is deleted or its files
 * were swept by retention.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { normalizeShortId } from '../../src/core/short-id.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { sendJson } from '../../src/http/http-server.js';
import { parseRange } from './byte-range.js';
import { decodePathSegment } from './conversation.js';
import type { RouteTarget } from './request-guard.js';

const MEDIA_PATH = /^\/playground\/media\/([^/]+)\/(video|thumbnail)$/;
const CONTENT_TYPES = { video: 'video/mp4', thumbnail: 'image/webp' } as const;

export function mountMediaRoutes(http: RouteTarget, core: SoraCore): void {
  const handler = (req: IncomingMessage, res: ServerResponse, url: URL) => serveMedia(core, req, res, url);
  http.route('GET', MEDIA_PATH, handler);
  http.route('HEAD', MEDIA_PATH, handler);
}

async function serveMedia(
  core: SoraCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const match = MEDIA_PATH.exec(url.pathname);
  const jobId = normalizeShortId(decodePathSegment(match?.[1]));
  const variant = match?.[2] as keyof typeof CONTENT_TYPES | undefined;
  const job = jobId ? await core.jobRecord(jobId) : undefined;
  const path = variant && job && job.state !== 'deleted' ? job.files[variant] : null;
  const size = path ? await fileSize(path) : undefined;
  if (!path || !variant || size === undefined) {
    sendJson(res, 404, { error: { code: 'not_found', message: 'no such video (it may have been deleted)' } });
    return;
  }
  const headers = {
    'content-type': CONTENT_TYPES[variant],
    'accept-ranges': 'bytes',
    'cache-control': 'private, max-age=3600',
    'x-content-type-options': 'nosniff',
  };
  const range = parseRange(req.headers.range, size);
  if (range.kind === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` });
    res.end();
    return;
  }
  const { start, end } = range.kind === 'partial' ? range : { start: 0, end: size - 1 };
  res.writeHead(range.kind === 'partial' ? 206 : 200, {
    ...headers,
    'content-length': String(Math.max(0, end - start + 1)),
    ...(range.kind === 'partial' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  try {
    await pipeline(createReadStream(path, { start, end }), res);
  } catch {
    // The browser cancelled (seeking does that constantly): nothing to report.
    res.destroy();
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}
