/**
 * The playground adapter through real HTTP against a real bot on the built-in emulator: commands,
 * the live event stream, the video route, delete and ownership, private replies, idempotent sends,
 * and a restart on the same DATA_DIR.
 */
import { rm } from 'node:fs/promises';
import { fetch, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPlayground } from '../../adapters/playground/index.js';
import type { WireEntry } from '../../adapters/playground/wire-message.js';
import { type RunningBot, startBot } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { ResultMessage, StatusMessage } from '../../src/core/messages.js';
import {
  clientId,
  newDataDir,
  probeMp4,
  RoomStream,
  sendCommand,
  startTestBot,
} from './playground-client.js';

const ROOM = 'foxes';
/**
 * The paging test has one person queue six videos at once; the default cap of unfinished videos per
 * person (SORA_MAX_PENDING_PER_USER, 5) would refuse the sixth.
 */
const BOT_ENV = { SORA_MAX_PENDING_PER_USER: '10' };

function resultFor(jobId: string) {
  return (s: RoomStream): WireEntry | undefined =>
    s.entries().find((e) => e.role === 'result' && e.media && (e.message as ResultMessage).job.id === jobId);
}

describe('playground adapter over HTTP', () => {
  let dataDir: string;
  let bot: RunningBot;
  let stream: RoomStream;
  let foxJob: string;
  const openStreams: RoomStream[] = [];

  beforeAll(async () => {
    dataDir = await newDataDir();
    bot = await startTestBot(dataDir, 300, BOT_ENV);
    stream = await RoomStream.open(bot.url, ROOM);
    openStreams.push(stream);
  });

  afterAll(async () => {
    for (const s of openStreams) s.close();
    await bot?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the page with a strict Content-Security-Policy and the script from the same origin', async () => {
    const page = await fetch(`${bot.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).toContain('<script src="/playground/app.js" defer></script>');
    expect(html).not.toMatch(/<script>[^<]/);
    const script = await fetch(`${bot.url}/playground/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).not.toContain('innerHTML');
    expect(bot.adapters.map((a) => a.name)).toContain('playground');
    expect(bot.adapters.find((a) => a.name === 'playground')?.summary).toContain(`${bot.url}/`);
  });

  it('posts a status message, updates it live, then delivers a playable MP4 with Range support', async () => {
    const answer = await sendCommand(bot.url, ROOM, {
      text: '/sora a red fox running through snow',
      name: 'Ann',
    });
    if (answer.kind !== 'job') throw new Error(`expected a job, got ${JSON.stringify(answer)}`);
    expect(answer.duplicate).toBe(false);
    foxJob = answer.jobId;
    const result = await stream.waitFor(resultFor(foxJob), 'the video');
    const message = result.message as ResultMessage;
    expect(message.job.prompt).toBe('a red fox running through snow');
    expect(message.job.requesterName).toBe('Ann');
    expect(message.job.requesterUser).toBe('ann');
    expect(message.actions.map((a) => a.kind)).toEqual(['remix', 'again', 'delete']);
    expect(result.text).toContain('a red fox running through snow');

    const statusVersions = stream
      .allVersions()
      .filter((e) => e.role === 'status' && (e.message as StatusMessage).job.id === foxJob)
      .map((e) => e.message as StatusMessage);
    const phases = [...new Set(statusVersions.map((m) => m.phase))];
    expect(phases[0]).toBe('queued');
    expect(phases).toContain('rendering');
    // The status message is one message, edited in place (one ref), ending at done.
    expect(
      new Set(
        stream
          .allVersions()
          .filter((e) => e.role === 'status')
          .map((e) => e.ref),
      ).size,
    ).toBe(1);
    await stream.waitFor(
      (s) =>
        (s.entries().find((e) => e.role === 'status')?.message as StatusMessage | undefined)?.phase ===
          'done' || undefined,
      'the status to say done',
    );

    const video = await fetch(`${bot.url}${result.media!.video}`);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect(video.headers.get('accept-ranges')).toBe('bytes');
    const bytes = new Uint8Array(await video.arrayBuffer());
    const facts = probeMp4(bytes);
    expect(facts.width).toBe(720);
    expect(facts.height).toBe(1280);
    expect(facts.durationSeconds).toBeCloseTo(4, 0);

    const part = await fetch(`${bot.url}${result.media!.video}`, { headers: { range: 'bytes=100-299' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-299/${bytes.byteLength}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(100, 300));
    const tail = await fetch(`${bot.url}${result.media!.video}`, {
      headers: { range: `bytes=${bytes.byteLength}-` },
    });
    expect(tail.status).toBe(416);
    await tail.arrayBuffer();

    const thumbnail = await fetch(`${bot.url}${result.media!.thumbnail}`);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(
      Buffer.from(await thumbnail.arrayBuffer())
        .subarray(0, 4)
        .toString('ascii'),
    ).toBe('RIFF');
  });

  it('shows a usage problem only to the sender', async () => {
    const before = stream.events.length;
    const answer = await sendCommand(bot.url, ROOM, { text: '/sora a fox --seconds 5', name: 'Ann' });
    if (answer.kind !== 'reply') throw new Error('expected a private reply');
    expect(answer.reply.message).toMatchObject({ kind: 'notice', tone: 'warning' });
    expect(answer.reply.text).toMatch(/seconds/);
    const notImage = await sendCommand(bot.url, ROOM, {
      text: 'animate this',
      name: 'Ann',
      image: {
        filename: 'notes.txt',
        contentType: 'text/plain',
        base64: Buffer.from('hello').toString('base64'),
      },
    });
    expect(notImage).toMatchObject({ kind: 'reply', reply: { message: { kind: 'notice' } } });
    // Nothing reached the room: a fresh connection's history has no trace of either.
    const fresh = await RoomStream.open(bot.url, ROOM);
    openStreams.push(fresh);
    const history = await fresh.waitFor(
      (s) => (s.events.some((e) => e.event === 'history') ? s.entries() : undefined),
      'history',
    );
    expect(JSON.stringify(history)).not.toContain('--seconds 5');
    expect(JSON.stringify(history)).not.toContain('notes.txt');
    expect(stream.events.slice(before)).toEqual([]);
    fresh.close();
  });

  it('rejects a malformed body with 400 and a stable code', async () => {
    const res = await fetch(`${bot.url}/playground/rooms/${ROOM}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'a fox', name: '', clientId: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
    const badRoom = await fetch(`${bot.url}/playground/rooms/..%2Fetc/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(badRoom.status).toBe(404);
    await badRoom.arrayBuffer();
  });

  it('refuses cross-site writes and foreign host names (the page has no login)', async () => {
    const body = JSON.stringify({ text: 'a fox', name: 'Mallory', clientId: clientId() });
    const plain = await fetch(`${bot.url}/playground/rooms/${ROOM}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
    });
    expect(plain.status).toBe(415);
    expect(await plain.text()).toBe('Send commands as application/json.\n');
    const crossSite = await fetch(`${bot.url}/playground/rooms/${ROOM}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body,
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await crossSite.text()).toMatch(/playground page only/);
    // DNS rebinding: a hostile name resolving to 127.0.0.1 carries its own name in Host.
    const port = new URL(bot.url).port;
    for (const path of ['/', `/playground/rooms/${ROOM}/events`, '/playground/rooms']) {
      const rebound = await request(`${bot.url}${path}`, { headers: { host: `evil.example:${port}` } });
      expect(rebound.statusCode).toBe(403);
      await rebound.body.dump();
    }
    const local = await request(`${bot.url}/`, { headers: { host: `localhost:${port}` } });
    expect(local.statusCode).toBe(200);
    await local.body.dump();
    const room = await RoomStream.open(bot.url, ROOM);
    openStreams.push(room);
    const history = await room.waitFor(
      (s) => (s.events.some((e) => e.event === 'history') ? s.entries() : undefined),
      'history',
    );
    expect(JSON.stringify(history)).not.toContain('Mallory');
    room.close();
  });

  it('makes one job from a double submit with the same client id', async () => {
    const id = clientId();
    const body = { text: 'a paper boat on a rainy street', name: 'Ann', clientId: id };
    const [first, second] = await Promise.all([
      sendCommand(bot.url, ROOM, body),
      sendCommand(bot.url, ROOM, body),
    ]);
    if (first.kind !== 'job' || second.kind !== 'job') throw new Error('expected jobs');
    expect(first.jobId).toBe(second.jobId);
    expect([first.duplicate, second.duplicate].sort()).toEqual([false, true]);
    await stream.waitFor(resultFor(first.jobId), 'the boat video');
    const statuses = stream
      .entries()
      .filter((e) => e.role === 'status' && (e.message as StatusMessage).job.prompt === body.text);
    expect(statuses).toHaveLength(1);
  });

  it('lets only the owner delete, and then replaces the video by a notice and stops serving it', async () => {
    const denied = await sendCommand(bot.url, ROOM, { text: `delete ${foxJob}`, name: 'Bob' });
    if (denied.kind !== 'reply') throw new Error('expected a private reply');
    expect(denied.reply.text).toMatch(/Only the person who made/);
    const stillThere = await fetch(`${bot.url}/playground/media/${foxJob}/video`);
    expect(stillThere.status).toBe(200);
    await stillThere.arrayBuffer();
    expect(resultFor(foxJob)(stream)).toBeDefined();

    const deleted = await sendCommand(bot.url, ROOM, { text: `/sora delete ${foxJob}`, name: 'Ann' });
    if (deleted.kind !== 'reply') throw new Error('expected a private reply');
    expect(deleted.reply.message).toMatchObject({ kind: 'notice', tone: 'success' });
    const notice = await stream.waitFor(
      (s) => s.entries().find((e) => e.role === 'result' && e.message.kind === 'notice'),
      'the deleted notice',
    );
    expect(notice.media).toBeNull();
    expect(notice.text).toContain(`Video \`${foxJob}\` was deleted by Ann.`);
    for (const variant of ['video', 'thumbnail']) {
      const gone = await fetch(`${bot.url}/playground/media/${foxJob}/${variant}`);
      expect(gone.status).toBe(404);
      await gone.arrayBuffer();
    }
  });

  it('keeps the room after a restart on the same DATA_DIR, and knows what it already delivered', async () => {
    const before = stream.entries();
    const boat = before.find((e) => e.role === 'result' && e.media);
    if (!boat) throw new Error('the boat video should be in the room');
    const boatJob = (boat.message as ResultMessage).job.id;
    stream.close();
    await bot.close();

    bot = await startTestBot(dataDir, 300, BOT_ENV);
    const after = await RoomStream.open(bot.url, ROOM);
    openStreams.push(after);
    const history = await after.waitFor(
      (s) => (s.events.some((e) => e.event === 'history') ? s.entries() : undefined),
      'history after the restart',
    );
    expect(history.map((e) => [e.ref, e.role, e.message.kind])).toEqual(
      before.map((e) => [e.ref, e.role, e.message.kind]),
    );
    const video = await fetch(`${bot.url}${boat.media!.video}`);
    expect(video.status).toBe(200);
    expect(probeMp4(new Uint8Array(await video.arrayBuffer())).width).toBe(720);

    // The restarted surface finds the delivery from the facts the job recorded, and only from them.
    const surface = (bot.adapters.find((a) => a.name === 'playground') as RunningPlayground).surface;
    const facts = (await bot.core.jobRecord(boatJob))?.deliveryFacts ?? {};
    expect(facts).toEqual({ ref: boat.ref });
    expect(await surface.findDelivery(`playground:${ROOM}`, boatJob, facts)).toEqual({
      messageRef: boat.ref,
      otherRefs: [],
    });
    expect(await surface.findDelivery(`playground:${ROOM}`, boatJob, {})).toBeUndefined();
    expect(await surface.findDelivery(`playground:${ROOM}`, 'zzzzzz', facts)).toBeUndefined();
    expect((await bot.core.jobForMessage('playground', boat.ref))?.id).toBe(boatJob);
    const rooms = await fetch(`${bot.url}/playground/rooms`);
    expect(await rooms.json()).toEqual({ rooms: [{ id: 'lobby' }, { id: ROOM }] });
  });

  it('pages /sora list with Next and Previous actions, privately', async () => {
    // Provider-side failures (the emulator's marker) end fast and are posted to the room for everyone.
    for (let i = 1; i <= 6; i++)
      await sendCommand(bot.url, 'paging', { text: `clip ${i} [emulator:fail]`, name: 'Cy' });
    const first = await sendCommand(bot.url, 'paging', { text: '/sora list', name: 'Cy' });
    if (first.kind !== 'reply' || first.reply.message.kind !== 'list') throw new Error('expected a list');
    expect(first.reply.message).toMatchObject({ page: 1, pageCount: 2, total: 6 });
    expect(first.reply.message.actions).toEqual([{ kind: 'list_page', page: 2, all: false, label: 'Next' }]);
    const second = await sendCommand(bot.url, 'paging', { text: 'list --page 2', name: 'Cy' });
    if (second.kind !== 'reply' || second.reply.message.kind !== 'list') throw new Error('expected a list');
    expect(second.reply.message.jobs).toHaveLength(1);
    expect(second.reply.message.actions).toEqual([
      { kind: 'list_page', page: 1, all: false, label: 'Previous' },
    ]);
    const room = await RoomStream.open(bot.url, 'paging');
    openStreams.push(room);
    const history = await room.waitFor(
      (s) => (s.events.some((e) => e.event === 'history') ? s.entries() : undefined),
      'history',
    );
    expect(history.some((e) => e.message.kind === 'list')).toBe(false);
  });
});

describe('playground wiring', () => {
  it('stays off with PLAYGROUND=0 even without chat credentials', async () => {
    const dataDir = await newDataDir();
    const bot = await startBot(
      parseConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', PLAYGROUND: '0' }),
      { print: () => {} },
    );
    try {
      expect(bot.adapters).toEqual([]);
      const page = await fetch(`${bot.url}/`);
      expect(page.status).toBe(404);
      await page.arrayBuffer();
    } finally {
      await bot.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
