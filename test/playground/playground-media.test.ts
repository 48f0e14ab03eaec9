/**
 * Hostile traffic at the playground's media and upload routes, over real sockets against the real bot:
 * the media route serves only the playground's own jobs (a Slack job beside it is a 404), aborted
 * downloads give every file descriptor back, Range edge cases follow RFC 9110 and never make a 500,
 * and an oversized or stalled upload is cut off while it streams, with a plain answer.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, mountCommandRoute } from '../../adapters/playground/command-route.js';
import { guardedRoutes, requestPolicy } from '../../adapters/playground/request-guard.js';
import type { RunningBot } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import type { DeliveredVideo, DeliveryProgress, VideoDelivery } from '../../src/core/surface.js';
import { HttpServer } from '../../src/http/http-server.js';
import { abortMidBody, fdsAtMost, openFds, settledFds } from '../support/open-fds.js';
import { RecordingSurface } from '../support/recording-surface.js';
import { clientId, newDataDir, sendCommand, startTestBot } from './playground-client.js';

const VIDEO_SIZE = 16 * 1024 * 1024;
const THUMB_SIZE = 1000;

let dataDir: string;
let bot: RunningBot;
/** A chat that shows the still too, so the Slack job has both files for the route to keep out. */
class StillShowingSurface extends RecordingSurface {
  override async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    await delivery.thumbnail();
    return super.deliverVideo(delivery, progress);
  }
}

let playgroundJob: string;
let slackJob: string;
let video: Buffer;
let thumbnail: Buffer;

async function delivered(jobId: string): Promise<{ video: string; thumbnail: string }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const job = await bot.core.jobRecord(jobId);
    if (job?.state === 'delivered' && job.files.video && job.files.thumbnail)
      return { video: job.files.video, thumbnail: job.files.thumbnail };
    if (Date.now() > deadline) throw new Error(`job ${jobId} was not delivered (${job?.state})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function mediaUrl(jobId: string, variant: 'video' | 'thumbnail' = 'video'): string {
  return `${bot.url}/playground/media/${jobId}/${variant}`;
}

async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(url, { method, headers });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

beforeAll(async () => {
  dataDir = await newDataDir();
  bot = await startTestBot(dataDir, 300);
  // PLAYGROUND=1 beside Slack: the same ledger holds Slack's jobs.
  bot.core.registerSurface(new StillShowingSurface('slack'));
  const answer = await sendCommand(bot.url, 'lobby', { text: 'a heron in the reeds', name: 'Ann' });
  if (answer.kind !== 'job') throw new Error('expected a job');
  playgroundJob = answer.jobId;
  const parsed = bot.core.parse('a secret slack video', null);
  if (!parsed.ok) throw new Error('the prompt should parse');
  const outcome = await bot.core.run({
    requester: { platform: 'slack', workspace: 'T1', user: 'U1', displayName: 'Sam' },
    channel: 'slack:T1:C1',
    conversation: 'slack:T1:C1',
    intent: parsed.intent,
    attachment: null,
    idempotencyKey: 'slack:T1:C1:media-test',
  });
  if (outcome.kind !== 'job') throw new Error('expected a Slack job');
  slackJob = outcome.job.id;
  const files = await delivered(playgroundJob);
  await delivered(slackJob);
  // Known bytes, and a video big enough that a download is still streaming when it is dropped.
  video = randomBytes(VIDEO_SIZE);
  thumbnail = randomBytes(THUMB_SIZE);
  await writeFile(files.video, video);
  await writeFile(files.thumbnail, thumbnail);
});

afterAll(async () => {
  await bot?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the media route', () => {
  it("serves the playground's own jobs only: a Slack job's id is a 404 like an unknown one", async () => {
    const ours = await get(mediaUrl(playgroundJob));
    expect(ours.response.status).toBe(200);
    expect(ours.body.equals(video)).toBe(true);
    const unknown = await get(mediaUrl('zzzzzz'));
    expect(unknown.response.status).toBe(404);
    for (const variant of ['video', 'thumbnail'] as const) {
      for (const range of [undefined, 'bytes=0-9']) {
        const theirs = await get(mediaUrl(slackJob, variant), range ? { range } : {});
        expect(theirs.response.status, `${variant} ${range}`).toBe(404);
        expect(theirs.body.equals(unknown.body)).toBe(true);
      }
    }
    // The Slack job is real and has its files: only the route's rule keeps them out.
    const job = await bot.core.jobRecord(slackJob);
    expect(job?.conversation).toMatch(/^slack:T1:C1/);
    expect(job?.files.video).toBeTruthy();
    expect(job?.files.thumbnail).toBeTruthy();
  });
});

describe.skipIf(process.platform !== 'linux')('aborted downloads', () => {
  it('give every file descriptor back: 50 dropped mid-body, the count returns to its start', async () => {
    // One complete download first, so whatever opens lazily is open before counting.
    expect((await get(mediaUrl(playgroundJob))).body.length).toBe(VIDEO_SIZE);
    const start = await settledFds();
    await Promise.all(Array.from({ length: 50 }, () => abortMidBody(mediaUrl(playgroundJob))));
    const during = openFds();
    const after = await fdsAtMost(start);
    console.info(
      `playground media: open fds ${start} before, ${during} right after 50 aborted, ${after} settled`,
    );
    expect(after).toBeLessThanOrEqual(start);
    const ranged = await get(mediaUrl(playgroundJob), { range: 'bytes=0-9' });
    expect(ranged.response.status).toBe(206);
  });
});

describe('Range (RFC 9110) on the media route', () => {
  it('answers what cannot be satisfied with 416 and Content-Range: bytes */SIZE', async () => {
    for (const range of [
      `bytes=${VIDEO_SIZE}-`,
      `bytes=${VIDEO_SIZE + 5}-${VIDEO_SIZE + 10}`,
      'bytes=-0',
      `bytes=${'9'.repeat(400)}-`,
      `bytes=${VIDEO_SIZE}-,${VIDEO_SIZE + 1}-`,
    ]) {
      const { response, body } = await get(mediaUrl(playgroundJob), { range });
      expect(response.status, range).toBe(416);
      expect(response.headers.get('content-range'), range).toBe(`bytes */${VIDEO_SIZE}`);
      expect(body.length).toBe(0);
    }
  });

  it('serves one range as 206, several as the whole file', async () => {
    const tail = await get(mediaUrl(playgroundJob), { range: 'bytes=-100' });
    expect(tail.response.status).toBe(206);
    expect(tail.response.headers.get('content-range')).toBe(
      `bytes ${VIDEO_SIZE - 100}-${VIDEO_SIZE - 1}/${VIDEO_SIZE}`,
    );
    expect(tail.body.equals(video.subarray(VIDEO_SIZE - 100))).toBe(true);
    const several = await get(mediaUrl(playgroundJob, 'thumbnail'), { range: 'bytes=0-0,5-9,-3' });
    expect(several.response.status).toBe(200);
    expect(several.body.equals(thumbnail)).toBe(true);
    const halfSatisfiable = await get(mediaUrl(playgroundJob, 'thumbnail'), {
      range: `bytes=0-1, ${THUMB_SIZE}-`,
    });
    expect(halfSatisfiable.response.status).toBe(200);
  });

  it('ignores a Range it cannot read, and any If-Range: the whole file', async () => {
    for (const range of [
      'bytes=abc',
      'bytes=5-1',
      'items=0-1',
      'bytes=',
      'bytes=--1',
      'bytes=1-2-3',
      'bytes=0-1;x',
    ]) {
      const { response, body } = await get(mediaUrl(playgroundJob, 'thumbnail'), { range });
      expect(response.status, range).toBe(200);
      expect(body.equals(thumbnail), range).toBe(true);
    }
    const ifRange = await get(mediaUrl(playgroundJob, 'thumbnail'), {
      range: 'bytes=0-9',
      'if-range': '"x"',
    });
    expect(ifRange.response.status).toBe(200);
    const head = await get(mediaUrl(playgroundJob), { range: 'bytes=0-9' }, 'HEAD');
    expect(head.response.status).toBe(206);
    expect(head.response.headers.get('content-length')).toBe('10');
    expect(head.body.length).toBe(0);
  });

  it('never answers a 500, whatever the header says', async () => {
    const header = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ maxLength: 40 }).map((s) => `bytes=${s}`),
      fc
        .array(fc.tuple(fc.option(fc.nat(2 * THUMB_SIZE)), fc.option(fc.nat(2 * THUMB_SIZE))), {
          minLength: 1,
          maxLength: 4,
        })
        .map((specs) => `bytes=${specs.map(([a, b]) => `${a ?? ''}-${b ?? ''}`).join(',')}`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (range) => {
        // Header values must be visible ASCII for the client to send them at all.
        const value = range.replace(/[^\x20-\x7e]/g, '');
        const { response, body } = await get(mediaUrl(playgroundJob, 'thumbnail'), { range: value });
        expect([200, 206, 416], value).toContain(response.status);
        if (response.status === 200) expect(body.equals(thumbnail)).toBe(true);
        if (response.status === 416)
          expect(response.headers.get('content-range')).toBe(`bytes */${THUMB_SIZE}`);
      }),
      { numRuns: 150, seed: 10 },
    );
  });
});

interface UploadOutcome {
  status: number;
  body: string;
  /** Bytes the client had written when the answer came. */
  sentBeforeAnswer: number;
  /** Whether the server closed the connection afterwards. */
  closed: boolean;
}

/**
 * Streams a command whose image never ends (chunked, no Content-Length), `chunk` bytes at a time,
 * until the server answers or `limit` bytes are out.
 */
function uploadEndlessImage(url: string, limit: number, chunk = 256 * 1024): Promise<UploadOutcome> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    const piece = Buffer.alloc(chunk, 'A');
    const pump = () => {
      while (!answered && sent < limit) {
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.on('response', (res) => {
      answered = true;
      const sentBeforeAnswer = sent;
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      res.on('end', () => {
        const socket = req.socket;
        const done = (closed: boolean) =>
          resolve({ status: res.statusCode ?? 0, body, sentBeforeAnswer, closed });
        if (!socket || socket.destroyed) done(true);
        else {
          const timer = setTimeout(() => done(false), 5_000);
          socket.once('close', () => {
            clearTimeout(timer);
            done(true);
          });
        }
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.write(`{"text":"animate this","name":"Ann","clientId":"${clientId()}","image":{"filename":"a.png",`);
    req.write('"contentType":"image/png","base64":"');
    pump();
  });
}

describe('uploads', () => {
  it('cuts an oversized image off while it streams, with a plain answer, and closes the connection', async () => {
    const started = Date.now();
    const outcome = await uploadEndlessImage(`${bot.url}/playground/rooms/lobby/commands`, 200 * 1024 * 1024);
    console.info(
      `oversized upload: answered ${outcome.status} after ${(outcome.sentBeforeAnswer / 1024 / 1024).toFixed(1)} MB written (cap ${(MAX_BODY_BYTES / 1024 / 1024).toFixed(1)} MB) in ${Date.now() - started} ms`,
    );
    expect(outcome.status).toBe(413);
    expect(JSON.parse(outcome.body)).toEqual({
      error: { code: 'too_large', message: 'Images can be at most 20 MB.' },
    });
    // Socket buffers hold a few MB in flight; the point is that the 200 MB never went through.
    expect(outcome.sentBeforeAnswer).toBeLessThan(MAX_BODY_BYTES + 16 * 1024 * 1024);
    expect(outcome.closed).toBe(true);
  });

  it('refuses a declared Content-Length over the cap before reading anything', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${bot.url}/playground/rooms/lobby/commands`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) },
      });
      req.on('response', (r) => {
        let body = '';
        r.on('data', (c: Buffer) => {
          body += c.toString();
        });
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"text":');
    });
    expect(res.status).toBe(413);
    expect(res.body).toContain('at most 20 MB');
  });

  it('stops a stalled or too slow upload with 408 and says so', async () => {
    // The real command route on a server of its own, with short body timeouts.
    const http = new HttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    mountCommandRoute(guardedRoutes(http, requestPolicy(parseConfig({}))), bot.core, {
      idleMs: 300,
      totalMs: 1_500,
    });
    await http.listen();
    try {
      const send = (drip: boolean) =>
        new Promise<{ status: number; body: string; ms: number }>((resolve, reject) => {
          const started = Date.now();
          const req = httpRequest(`${http.url}/playground/rooms/lobby/commands`, {
            method: 'POST',
            agent: false,
            headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
          });
          const timer = drip ? setInterval(() => req.write(' '), 100) : undefined;
          req.on('response', (r) => {
            clearInterval(timer);
            let body = '';
            r.on('data', (c: Buffer) => {
              body += c.toString();
            });
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body, ms: Date.now() - started }));
          });
          req.on('error', (error) => {
            clearInterval(timer);
            reject(error);
          });
          req.write('{"text":"a fox","name":"Ann",');
        });
      const stalled = await send(false);
      expect(stalled.status).toBe(408);
      expect(JSON.parse(stalled.body).error.message).toBe(
        'The upload stalled, so it was stopped; send it again.',
      );
      expect(stalled.ms).toBeLessThan(1_400);
      const slow = await send(true);
      expect(slow.status).toBe(408);
      expect(JSON.parse(slow.body).error.message).toMatch(/took too long/);
      expect(slow.ms).toBeGreaterThanOrEqual(1_400);
    } finally {
      await http.close();
    }
  });

  it('keeps serving everyone else afterwards', async () => {
    const answer = await sendCommand(bot.url, 'lobby', { text: 'status', name: 'Ann' });
    expect(answer.kind).toBe('reply');
  });
});
