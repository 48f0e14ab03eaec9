/**
 * Fuzz: 500 hostile requests to the playground's command route (`POST /playground/rooms/ROOM/commands`)
 * of a real bot (startBot on the embedded emulator) over real HTTP: hostile text, names and client ids,
 * fields of the wrong type or missing, bodies that are not JSON or not an object, garbage and real
 * images, odd room names, wrong content types and foreign origins. Never a 5xx; every answer of the
 * route is JSON (the request guard's refusals are one plain line, by design); a command is answered with a job or a reply; user text only ever travels as JSON data (the
 * answers, the room's event stream) and never reaches the page's HTML; no unhandled rejection; and a
 * plain command still makes a video afterwards.
 */
import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/app.js';
import { solidPng } from '../cli/fixtures.js';
import {
  clientId,
  newDataDir,
  RoomStream,
  sendCommand,
  startTestBot,
} from '../playground/playground-client.js';
import { fuzzParameters, fuzzTimeout, hostileText, wrongType } from './hostile-text.js';

const ROOM = 'fuzz';
/** Statuses of the request guard's refusals (request-guard.ts), answered before the route runs. */
const GUARD_REFUSALS = [401, 403, 415];
let dataDir: string;
let bot: RunningBot;
let stream: RoomStream;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
/** Job ids the route answered with, to find in the room's event stream. */
const jobs = new Set<string>();

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  dataDir = await newDataDir();
  // Renders far longer than the test: accepted videos stay queued, nothing is spent on ffmpeg.
  bot = await startTestBot(dataDir, 600_000, {
    SORA_MAX_PENDING_PER_USER: '10000',
    SORA_MAX_CONCURRENT: '1',
  });
  stream = await RoomStream.open(bot.url, ROOM);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  stream?.close();
  await bot?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const PNG_BASE64 = solidPng(32, 24).toString('base64');

const image = fc.oneof(
  { weight: 20, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.constant({ filename: 'pond.png', contentType: 'image/png', base64: PNG_BASE64 }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      filename: fc.oneof(hostileText, fc.constant('x.png')),
      contentType: fc.oneof(
        fc.constant(null),
        fc.constantFrom('image/png', 'image/svg+xml', 'text/html'),
        hostileText,
      ),
      base64: fc.oneof(
        fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
        fc.constant(Buffer.from('<svg onload=alert(1)>').toString('base64')),
        hostileText,
      ),
    }),
  },
  { weight: 1, arbitrary: wrongType },
);

/** A command body: mostly the route's shape with hostile values, sometimes wrong types or missing fields. */
const body = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .record({
        text: fc.oneof(
          {
            weight: 8,
            arbitrary: fc.tuple(hostileText, fc.boolean()).map(([t, slash]) => (slash ? `/sora ${t}` : t)),
          },
          { weight: 1, arbitrary: wrongType },
        ),
        name: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom('ann', 'Ben', 'playground admin', 'Zoë') },
          { weight: 2, arbitrary: hostileText },
          { weight: 1, arbitrary: wrongType },
        ),
        clientId: fc.oneof(
          { weight: 8, arbitrary: fc.constant('fresh') },
          { weight: 1, arbitrary: hostileText },
          { weight: 1, arbitrary: wrongType },
        ),
        image,
      })
      .chain((fields) =>
        fc
          .oneof(
            { weight: 8, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fc.constantFrom('text', 'name', 'clientId', 'image') },
          )
          .map((missing) => {
            const sent: Record<string, unknown> =
              fields.clientId === 'fresh' ? { ...fields, clientId: clientId() } : { ...fields };
            if (missing) delete sent[missing];
            return JSON.stringify(sent);
          }),
      ),
  },
  { weight: 1, arbitrary: wrongType.map((value) => JSON.stringify(value) ?? 'null') },
  { weight: 1, arbitrary: hostileText },
);

const room = fc.oneof(
  { weight: 12, arbitrary: fc.constant(ROOM) },
  {
    weight: 1,
    arbitrary: hostileText.map(
      (t) => encodeURIComponent(Buffer.from(t.slice(0, 80)).toString('utf8')) || '-',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('%E0%A4%A', '..%2F..%2Fetc', 'UPPER', 'a'.repeat(41)) },
);

const headers = fc.record({
  'content-type': fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-8',
      ),
    },
  ),
  origin: fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null') },
  ),
});

describe('fuzzed playground commands over HTTP', () => {
  it('answers 500 hostile requests to the command route with JSON, never a 5xx', {
    timeout: fuzzTimeout(500, 150),
  }, async () => {
    await fc.assert(
      fc.asyncProperty(body, room, headers, async (payload, roomId, head) => {
        const res = await fetch(`${bot.url}/playground/rooms/${roomId}/commands`, {
          method: 'POST',
          headers: Object.fromEntries(Object.entries(head).filter(([, v]) => v !== undefined)) as Record<
            string,
            string
          >,
          body: payload,
        });
        const text = await res.text();
        expect(res.status).toBeLessThan(500);
        const json = /^application\/json/.test(res.headers.get('content-type') ?? '');
        if (GUARD_REFUSALS.includes(res.status) && !json) {
          // The request guard (host, origin, token, content type) refuses in one plain line, for a
          // person in a browser tab or a terminal; it never repeats what was sent.
          expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
          expect(text.trim()).not.toContain('\n');
          expect(text.length).toBeLessThan(400);
          expect(text).not.toContain('evil.example');
          return;
        }
        // Everything the command route itself answers is JSON.
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const answer = JSON.parse(text) as Record<string, unknown>;
        if (res.status === 200) {
          if (answer.kind === 'job') {
            expect(answer.jobId).toMatch(/^[2-9a-hjkmnp-z]{6}$/);
            if (roomId === ROOM) jobs.add(answer.jobId as string);
          } else {
            expect(answer.kind).toBe('reply');
            const reply = answer.reply as { text?: unknown; message?: { kind?: unknown } };
            expect(typeof reply.text).toBe('string');
            expect((reply.text as string).length).toBeGreaterThan(0);
            expect(typeof reply.message?.kind).toBe('string');
            // Answers say what happened, never an internal detail.
            expect(reply.text).not.toMatch(/\bat .+\.ts:\d+|ENOENT|ECONNREFUSED|\/tmp\//);
          }
        } else {
          const error = answer.error as { code?: unknown; message?: unknown } | undefined;
          expect(typeof error?.code).toBe('string');
          expect(typeof error?.message).toBe('string');
        }
      }),
      { ...fuzzParameters(500), endOnFailure: true },
    );
    expect(jobs.size).toBeGreaterThan(0);
  });

  it('shows every job in the room’s event stream as JSON data, and no user text in the page', async () => {
    await stream.waitFor(
      (s) =>
        [...jobs].every((id) => s.allVersions().some((e) => JSON.stringify(e.message).includes(id)))
          ? true
          : undefined,
      'every fuzzed job in the event stream',
    );
    // Every event was JSON (RoomStream parses each one, and stops on the first that is not).
    expect(stream.events.length).toBeGreaterThan(0);
    for (const entry of stream.allVersions()) {
      expect(typeof entry.text).toBe('string');
      expect(typeof entry.message.kind).toBe('string');
    }
    const page = await (await fetch(`${bot.url}/`)).text();
    expect(page).not.toContain('evil.example');
    expect(page).not.toContain('<!channel>');
  });

  it('still makes a video from a plain command, and left no unhandled rejection', async () => {
    const answer = await sendCommand(bot.url, ROOM, { text: '/sora a calm sea at noon', name: 'zoe' });
    expect(answer.kind).toBe('job');
    expect(unhandled).toEqual([]);
  });
});
