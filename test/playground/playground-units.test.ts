/**
 * Pure parts of the playground: byte ranges, room and user ids, the optional `/sora` prefix, the
 * usage chart on the wire.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../adapters/playground/byte-range.js';
import { stripSlashCommand } from '../../adapters/playground/command-route.js';
import {
  decodePathSegment,
  isRoomId,
  requesterFor,
  slugify,
} from '../../adapters/playground/conversation.js';
import { hostName, requestPolicy } from '../../adapters/playground/request-guard.js';
import { wireMessage } from '../../adapters/playground/wire-message.js';
import type { UsageMessage } from '../../src/core/messages.js';

describe('parseRange', () => {
  it('serves the whole file without a usable Range header', () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=-', 100)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=0-1,5-9', 100)).toEqual({ kind: 'whole' });
    expect(parseRange('items=0-1', 100)).toEqual({ kind: 'whole' });
  });

  it('reads start-end, open-ended and suffix ranges, clamping the end to the file', () => {
    expect(parseRange('bytes=0-1', 100)).toEqual({ kind: 'partial', start: 0, end: 1 });
    expect(parseRange('bytes=10-', 100)).toEqual({ kind: 'partial', start: 10, end: 99 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=-30', 100)).toEqual({ kind: 'partial', start: 70, end: 99 });
    expect(parseRange('bytes=-300', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
  });

  it('refuses ranges outside the file', () => {
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=5-4', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('always answers a range inside the file', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(20_000), fc.nat(20_000), fc.boolean(), (size, a, b, suffix) => {
        const header = suffix ? `bytes=-${a}` : `bytes=${a}-${b}`;
        const range = parseRange(header, size);
        if (range.kind === 'partial') {
          expect(range.start).toBeGreaterThanOrEqual(0);
          expect(range.end).toBeLessThan(size);
          expect(range.start).toBeLessThanOrEqual(range.end);
        }
      }),
    );
  });
});

describe('playground identities', () => {
  it('turns room names and display names into safe ids', () => {
    expect(slugify('Team Videos!')).toBe('team-videos');
    expect(slugify('  Ann  ')).toBe('ann');
    expect(slugify('Zoë <script>')).toBe('zoe-script');
    expect(slugify('日本')).toBe('');
    expect(slugify('a'.repeat(60)).length).toBe(40);
    fc.assert(
      fc.property(fc.string(), (text) => {
        const slug = slugify(text);
        expect(slug === '' || isRoomId(slug)).toBe(true);
      }),
    );
  });

  // A room's round trip through its conversation string is in the surface contract
  // (test/contracts/playground.contract.test.ts).
  it('refuses room paths that are not ids', () => {
    expect(decodePathSegment('%E0%A4%A')).toBe('');
    expect(isRoomId('../x')).toBe(false);
  });

  it('derives the requester from the name, keeping the name for display only', () => {
    expect(requesterFor('Ann Lee')).toEqual({
      platform: 'playground',
      workspace: 'local',
      user: 'ann-lee',
      displayName: 'Ann Lee',
    });
  });

  it('accepts commands with or without the leading /sora', () => {
    expect(stripSlashCommand('/sora a fox')).toBe('a fox');
    expect(stripSlashCommand('  /SORA   list --all')).toBe('list --all');
    expect(stripSlashCommand('/sora')).toBe('');
    expect(stripSlashCommand('a fox')).toBe('a fox');
    expect(stripSlashCommand('/soralike a fox')).toBe('/soralike a fox');
  });
});

describe('request policy', () => {
  it("allows this machine's names, HOST and PUBLIC_URL; anything when HOST binds every interface", () => {
    const policy = requestPolicy({ HOST: '127.0.0.1', PUBLIC_URL: 'https://bot.example.com' });
    expect([...(policy.allowedHosts ?? [])].sort()).toEqual(
      ['127.0.0.1', '::1', 'bot.example.com', 'localhost'].sort(),
    );
    expect(requestPolicy({ HOST: '0.0.0.0', PUBLIC_URL: undefined }).allowedHosts).toBeNull();
    expect(hostName('127.0.0.1:3000')).toBe('127.0.0.1');
    expect(hostName('[::1]:3000')).toBe('::1');
    expect(hostName('LocalHost')).toBe('localhost');
  });
});

describe('usage messages on the wire', () => {
  const usage = (png: unknown): UsageMessage =>
    ({
      kind: 'usage',
      title: 'Sora spend, 2026-12 (UTC), the workspace',
      lines: ['Total: $1.20 · 2 videos delivered or rendered', 'Per person: <b>Ann</b> $1.20 (2)'],
      chart: { png, filename: 'sora-usage-2026-12.png', alt: 'Spend per day, 2026-12' },
    }) as UsageMessage;

  it('carries the chart as a PNG data: URL built from the bytes, never the raw bytes', () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const wire = wireMessage(usage(bytes.subarray(0, 6)));
    if (wire.message.kind !== 'usage') throw new Error('expected usage');
    expect(wire.message.chart).toEqual({
      src: `data:image/png;base64,${Buffer.from(bytes.subarray(0, 6)).toString('base64')}`,
      filename: 'sora-usage-2026-12.png',
      alt: 'Spend per day, 2026-12',
    });
    expect(JSON.stringify(wire)).not.toContain('"png"');
    // Names stay data in the text; the page sets them with textContent.
    expect(wire.text).toContain('<b>Ann</b>');
  });

  it('drops a chart that is not bytes (a message read back from JSON) and keeps the lines', () => {
    for (const png of [{ 0: 137 }, 'iVBORw0KGgo=', new Uint8Array(0)]) {
      const wire = wireMessage(usage(png));
      expect(wire.message).toMatchObject({ kind: 'usage', chart: null });
      expect(wire.text.split('\n')).toHaveLength(3);
    }
  });

  it('passes every other message through unchanged', () => {
    const notice = { kind: 'notice', tone: 'info', text: 'hi' } as const;
    expect(wireMessage(notice)).toEqual({ message: notice, text: 'hi' });
  });
});
