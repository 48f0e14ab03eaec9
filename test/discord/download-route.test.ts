/**
 * The signed download route over real sockets: aborted downloads give their file descriptors back,
 * and Range requests follow RFC 9110 (206 for one range, 416 with `bytes *\/SIZE` when nothing is
 * satisfiable, the whole file for several ranges, never a 500).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadLinks } from '../../adapters/discord/download-links.js';
import { mountDownloadRoute } from '../../adapters/discord/download-route.js';
import { systemClock } from '../../src/core/clock.js';
import type { Job } from '../../src/core/job.js';
import { silentLogger } from '../../src/core/logger.js';
import { parseRange as readRange } from '../../src/http/byte-range.js';
import { HttpServer } from '../../src/http/http-server.js';
import { abortMidBody, fdsAtMost, settledFds } from '../support/open-fds.js';

const VIDEO = 'k3f9qz';
const EMPTY = 'm4n5pq';
const GONE = 'r7s8tw';
const SIZE = 8 * 1024 * 1024;

let dir: string;
let content: Buffer;
let http: HttpServer;
let links: DownloadLinks;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sora-download-route-'));
  content = randomBytes(SIZE);
  writeFileSync(join(dir, 'video.mp4'), content);
  writeFileSync(join(dir, 'empty.mp4'), Buffer.alloc(0));
  const files: Record<string, string> = {
    [VIDEO]: join(dir, 'video.mp4'),
    [EMPTY]: join(dir, 'empty.mp4'),
    [GONE]: join(dir, 'removed-by-retention.mp4'),
  };
  links = new DownloadLinks('secret', 'http://unused.example', 60_000, systemClock);
  http = new HttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
  mountDownloadRoute(http, links, async (jobId) =>
    files[jobId] ? ({ state: 'delivered', files: { video: files[jobId] } } as unknown as Job) : undefined,
  );
  await http.listen();
});

afterAll(async () => {
  await http?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The link's path on our server (links carry PUBLIC_URL's origin, which is not this test server). */
function linkPath(jobId: string): string {
  const url = new URL(links.urlFor(jobId).url);
  return `${url.pathname}${url.search}`;
}

async function get(jobId: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(`${http.url}${linkPath(jobId)}`, { method, headers });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

describe.skipIf(process.platform !== 'linux')('aborted downloads', () => {
  it('give every file descriptor back: 50 aborted mid-body, the count returns to its start', async () => {
    // One complete download first, so whatever the server opens lazily is open before counting.
    expect((await get(VIDEO)).body.length).toBe(SIZE);
    const start = await settledFds();
    await Promise.all(Array.from({ length: 50 }, () => abortMidBody(`${http.url}${linkPath(VIDEO)}`)));
    const after = await fdsAtMost(start);
    console.info(`open fds: ${start} before, ${after} after 50 aborted downloads`);
    expect(after).toBeLessThanOrEqual(start);
    // And the route still serves.
    expect((await get(VIDEO, { range: 'bytes=0-9' })).response.status).toBe(206);
  });
});

describe('Range (RFC 9110)', () => {
  it('serves the whole file with Accept-Ranges when no range is asked', async () => {
    const { response, body } = await get(VIDEO);
    expect(response.status).toBe(200);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-length')).toBe(String(SIZE));
    expect(body.equals(content)).toBe(true);
  });

  it('serves one range as 206 with Content-Range: first-last, open-ended and suffix forms', async () => {
    const cases: Array<[string, number, number]> = [
      ['bytes=0-99', 0, 99],
      ['bytes=100-', 100, SIZE - 1],
      ['bytes=-100', SIZE - 100, SIZE - 1],
      [`bytes=${SIZE - 1}-${SIZE + 1000}`, SIZE - 1, SIZE - 1],
      [`bytes=-${SIZE * 2}`, 0, SIZE - 1],
      [`bytes=5-99999999999999999999999`, 5, SIZE - 1],
      ['BYTES = 10-19', 10, 19],
    ];
    for (const [range, start, end] of cases) {
      const { response, body } = await get(VIDEO, { range });
      expect(response.status, range).toBe(206);
      expect(response.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${SIZE}`);
      expect(response.headers.get('content-length'), range).toBe(String(end - start + 1));
      expect(body.equals(content.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('answers an unsatisfiable range with 416 and Content-Range: bytes */SIZE', async () => {
    for (const range of [
      `bytes=${SIZE}-`,
      `bytes=${SIZE + 5}-${SIZE + 10}`,
      'bytes=-0',
      `bytes=${2 ** 60}-`,
    ]) {
      const { response } = await get(VIDEO, { range });
      expect(response.status, range).toBe(416);
      expect(response.headers.get('content-range'), range).toBe(`bytes */${SIZE}`);
    }
    const empty = await get(EMPTY, { range: 'bytes=0-' });
    expect(empty.response.status).toBe(416);
    expect(empty.response.headers.get('content-range')).toBe('bytes */0');
  });

  it('answers several ranges with the whole file, or 416 when none of them is satisfiable', async () => {
    const several = await get(VIDEO, { range: 'bytes=0-0,5-9,-3' });
    expect(several.response.status).toBe(200);
    expect(several.body.equals(content)).toBe(true);
    const none = await get(VIDEO, { range: `bytes=${SIZE}-,${SIZE + 10}-` });
    expect(none.response.status).toBe(416);
    expect(none.response.headers.get('content-range')).toBe(`bytes */${SIZE}`);
  });

  it('ignores ranges it cannot read, HEAD and If-Range: the whole file, never a 500', async () => {
    for (const range of ['bytes=abc', 'bytes=5-1', 'items=0-1', 'bytes=', 'bytes=--1', 'bytes=1-2-3', '']) {
      const { response, body } = await get(VIDEO, { range });
      expect(response.status, range).toBe(200);
      expect(body.length, range).toBe(SIZE);
    }
    const head = await get(VIDEO, { range: 'bytes=0-9' }, 'HEAD');
    expect(head.response.status).toBe(200);
    expect(head.response.headers.get('content-length')).toBe(String(SIZE));
    expect(head.body.length).toBe(0);
    const ifRange = await get(VIDEO, { range: 'bytes=0-9', 'if-range': '"x"' });
    expect(ifRange.response.status).toBe(200);
  });

  it('answers 404 for a file that is gone and 403 for a bad signature, whatever the range', async () => {
    expect((await get(GONE, { range: 'bytes=0-9' })).response.status).toBe(404);
    const bad = await fetch(`${http.url}/discord/videos/${VIDEO}.mp4?expires=1&sig=${'0'.repeat(64)}`, {
      headers: { range: 'bytes=0-9' },
    });
    expect(bad.status).toBe(403);
  });

  it('reads any header without throwing', () => {
    const weird = ['bytes=0-1,', 'bytes=,,,', `bytes=${'1'.repeat(500)}-`, 'bytes=0-1'.repeat(200), '\u0000'];
    for (const header of weird) expect(() => readRange(header, 10)).not.toThrow();
    expect(readRange('bytes=0-1,,', 10)).toEqual({ kind: 'partial', start: 0, end: 1 });
    expect(readRange(undefined, 10)).toEqual({ kind: 'whole' });
  });
});
