/**
 * GET/HEAD `/discord/videos/JOB.mp4?expires=&sig=`: streams the original MP4 of a live job (links are
 * made and checked by download-links.ts). Deleted jobs answer 404.
 *
 * Every download is a public socket that a client may drop at any moment (a player seeking, a closed
 * tab, an attacker opening and aborting): the file is streamed with `pipeline()`, which destroys the
 * file stream, and so closes its descriptor, when the response ends early. (`stream.pipe(res)` left the
 * file open for good on every aborted download.) The file is opened once and its size read from the
 * open handle, so a video removed by retention between the check and the read cannot turn into a 500.
 * Ranges follow RFC 9110 (src/http/byte-range.ts).
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Job } from '../../src/core/job.js';
import { SHORT_ID_PATTERN } from '../../src/core/short-id.js';
import { contentRange, parseRange, type RangeResult, unsatisfiedRange } from '../../src/http/byte-range.js';
import { type HttpServer, sendJson } from '../../src/http/http-server.js';
import { DOWNLOAD_ROUTE_PREFIX, type DownloadLinks } from './download-links.js';

type JobLookup = (jobId: string) => Promise<Job | undefined>;

export function mountDownloadRoute(http: HttpServer, links: DownloadLinks, jobRecord: JobLookup): void {
  http.route('*', `${DOWNLOAD_ROUTE_PREFIX}*`, (req, res, url) =>
    serveDownload(req, res, url, links, jobRecord),
  );
}

async function serveDownload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  links: DownloadLinks,
  jobRecord: JobLookup,
): Promise<void> {
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
  const file = path ? await open(path, 'r').catch(() => null) : null;
  if (!file) {
    sendJson(res, 404, { error: { code: 'not_found', message: 'this video is no longer available' } });
    return;
  }
  await sendFile(req, res, file, jobId!);
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: FileHandle, jobId: string) {
  let handedOver = false;
  try {
    const size = (await file.stat()).size;
    const headers = {
      'content-type': 'video/mp4',
      'content-disposition': `inline; filename="sora-${jobId}.mp4"`,
      'cache-control': 'private, no-store',
      'accept-ranges': 'bytes',
    };
    const range = rangeOf(req, size);
    if (range.kind === 'unsatisfiable') {
      res.setHeader('content-range', unsatisfiedRange(size));
      sendJson(res, 416, {
        error: { code: 'range_not_satisfiable', message: `the file has ${size} bytes` },
      });
      return;
    }
    const { start, end } = range.kind === 'partial' ? range : { start: 0, end: size - 1 };
    res.writeHead(range.kind === 'partial' ? 206 : 200, {
      ...headers,
      'content-length': Math.max(0, end - start + 1),
      ...(range.kind === 'partial' ? { 'content-range': contentRange(start, end, size) } : {}),
    });
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    // From here the stream owns the handle (autoClose): it closes it when it ends or is destroyed.
    const stream = file.createReadStream({ start, end });
    handedOver = true;
    // Rejects when the client goes away mid-body (ERR_STREAM_PREMATURE_CLOSE) or the read fails; both
    // streams are destroyed by then and there is no one left to answer, so there is nothing to do.
    await pipeline(stream, res).catch(() => undefined);
  } finally {
    if (!handedOver) await file.close();
  }
}

/** Range is defined for GET only; with If-Range (we offer no validator to compare) the whole file. */
function rangeOf(req: IncomingMessage, size: number): RangeResult {
  if (req.method !== 'GET' || req.headers['if-range'] !== undefined) return { kind: 'whole' };
  return parseRange(req.headers.range, size);
}
