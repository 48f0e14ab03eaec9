/**
 * `GET /playground/media/:jobId/video|thumbnail`: streams a finished job's files from DATA_DIR with
 * Range support (src/http/byte-range.ts), so the page's <video> can seek. Only the playground's own jobs:
 * with PLAYGROUND=1 beside Slack or Discord the same ledger holds their videos, which are theirs to
 * show (404 here, the same answer as an unknown id, so nothing tells which ids exist). Gone (404)
 * once the job is deleted or its files were swept by retention.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { normalizeShortId } from '../../src/core/short-id.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { contentRange, parseRange, unsatisfiedRange } from '../../src/http/byte-range.js';
import { sendJson } from '../../src/http/http-server.js';
import { decodeConversation, decodePathSegment } from './conversation.js';
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
  const ours = job !== undefined && decodeConversation(job.conversation) !== undefined;
  const path = variant && ours && job.state !== 'deleted' ? job.files[variant] : null;
  // Open first, then size the open file: what is announced is what is streamed, even if retention
  // removes the path meanwhile.
  const file = path ? await openFile(path) : undefined;
  if (!variant || !file) {
    sendJson(res, 404, { error: { code: 'not_found', message: 'no such video (it may have been deleted)' } });
    return;
  }
  let handedOver = false;
  try {
    const size = file.size;
    const headers = {
      'content-type': CONTENT_TYPES[variant],
      'accept-ranges': 'bytes',
      'cache-control': 'private, max-age=3600',
      'x-content-type-options': 'nosniff',
    };
    // No validators are sent, so an If-Range can never match: the whole file (RFC 9110 §13.1.5).
    const range = req.headers['if-range'] ? { kind: 'whole' as const } : parseRange(req.headers.range, size);
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': unsatisfiedRange(size), 'content-length': '0' });
      res.end();
      return;
    }
    const { start, end } = range.kind === 'partial' ? range : { start: 0, end: size - 1 };
    res.writeHead(range.kind === 'partial' ? 206 : 200, {
      ...headers,
      'content-length': String(Math.max(0, end - start + 1)),
      ...(range.kind === 'partial' ? { 'content-range': contentRange(start, end, size) } : {}),
    });
    if (req.method === 'HEAD' || size === 0 || res.destroyed) {
      res.end();
      return;
    }
    // The stream owns the handle from here (autoClose), and pipeline destroys it when the response
    // closes early: a browser cancels constantly while seeking, and each must give its descriptor back.
    handedOver = true;
    await pipeline(file.handle.createReadStream({ start, end }), res).catch(() => res.destroy());
  } finally {
    if (!handedOver) await file.handle.close();
  }
}

async function openFile(path: string): Promise<{ handle: FileHandle; size: number } | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (info.isFile()) return { handle, size: info.size };
  } catch {
    // Missing or unreadable: a 404 like any other absent video.
  }
  await handle?.close();
  return undefined;
}
