/**
 * Pure parts of the playground: byte ranges, room and user ids, the optional `/sora` prefix, the
 * usage chart on the wire.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withSelectedOptions } from '../../adapters/playground/command-route.js';
import { stripSlashCommand } from '../../adapters/playground/command-text.js';
import {
  decodePathSegment,
  isRoomId,
  requesterFor,
  slugify,
} from '../../adapters/playground/conversation.js';
import { hostAllowList, isAllowedHost, parseHostHeader } from '../../adapters/playground/host-allow-list.js';
import { requestPolicy } from '../../adapters/playground/request-guard.js';
import { wireMessage } from '../../adapters/playground/wire-message.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import { readForComposer } from '../../src/core/command-parser.js';
import type { UsageMessage } from '../../src/core/messages.js';
import { parseRange } from '../../src/http/byte-range.js';
import { CAPABILITIES } from '../../src/sora/capabilities.js';

const TOKEN = 'test-token-0123456789abcdef';

describe('parseRange', () => {
  it('serves the whole file without a usable Range header (RFC 9110 lets a server ignore an invalid one)', () => {
    for (const header of [
      undefined,
      '',
      'bytes=-',
      'items=0-1',
      'bytes=abc',
      'bytes=5-4',
      'bytes=1-2-3',
      'bytes=',
      'bytes=,',
    ])
      expect(parseRange(header, 100), String(header)).toEqual({ kind: 'whole' });
  });

  it('answers several ranges with the whole file, or unsatisfiable when none is', () => {
    expect(parseRange('bytes=0-1,5-9', 100)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=0-1, 200-', 100)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=100-,200-300,-0', 100)).toEqual({ kind: 'unsatisfiable' });
    // One invalid spec makes the whole header invalid: ignored.
    expect(parseRange('bytes=100-,9-1', 100)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=0-1,,', 100)).toEqual({ kind: 'partial', start: 0, end: 1 });
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
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange(`bytes=${'9'.repeat(500)}-`, 100)).toEqual({ kind: 'unsatisfiable' });
    // A suffix of an empty file is the (empty) file.
    expect(parseRange('bytes=-5', 0)).toEqual({ kind: 'whole' });
  });

  it('never throws, and any partial answer lies inside the file', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.nat(1000), (tail, size) => {
        for (const header of [tail, `bytes=${tail}`]) {
          const range = parseRange(header, size);
          if (range.kind === 'partial') expect(range.end).toBeLessThan(size);
        }
      }),
    );
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

describe('host allow-list', () => {
  const list = (env: Record<string, string>) =>
    hostAllowList(parseConfig({ PLAYGROUND_TOKEN: TOKEN, ...env }));
  const allowed = (env: Record<string, string>, host: string, port = 3000) => {
    const parsed = parseHostHeader(host);
    return parsed !== undefined && isAllowedHost(list(env), parsed, port);
  };

  it("lets this machine's names in on the server's port only, whatever HOST binds", () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'LOCALHOST:3000'])
      expect(allowed({}, host), host).toBe(true);
    for (const host of ['localhost:3001', 'localhost', 'evil.example:3000', '127.0.0.2:3000', '0.0.0.0:3000'])
      expect(allowed({}, host), host).toBe(false);
    expect(allowed({}, 'localhost', 80)).toBe(true);
  });

  it('adds PLAYGROUND_HOSTS (any port unless one is written) and PUBLIC_URL', () => {
    const env = { PLAYGROUND_HOSTS: 'sora.lan, 192.168.1.20:3000', PUBLIC_URL: 'https://bot.example.com' };
    for (const host of [
      'sora.lan',
      'sora.lan:8080',
      '192.168.1.20:3000',
      'bot.example.com',
      'BOT.example.com:443',
    ])
      expect(allowed(env, host), host).toBe(true);
    for (const host of ['192.168.1.20:3001', 'evil.sora.lan', 'sora.lan.evil.example'])
      expect(allowed(env, host), host).toBe(false);
    expect(allowed({ PUBLIC_URL: 'http://bot.example.com:8443' }, 'bot.example.com:8443')).toBe(true);
    expect(allowed({ PUBLIC_URL: 'http://bot.example.com:8443' }, 'bot.example.com')).toBe(false);
  });

  it('reads only plain host[:port] values from Host', () => {
    for (const header of [
      undefined,
      '',
      'evil@127.0.0.1:3000',
      '127.0.0.1:3000/x',
      'a b',
      'localhost:99999',
      'x'.repeat(400),
    ])
      expect(parseHostHeader(header), String(header)).toBeUndefined();
    expect(parseHostHeader('[::1]:3000')).toEqual({ name: '[::1]', port: 3000 });
    expect(parseHostHeader('Sora.LAN')).toEqual({ name: 'sora.lan', port: null });
  });
});

describe('PLAYGROUND_HOSTS, PLAYGROUND_TOKEN and PUBLIC_URL at start', () => {
  function configError(env: Record<string, string>): ConfigError | undefined {
    try {
      parseConfig(env);
      return undefined;
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
  }

  it('needs a token as soon as the playground answers to a name that is not this machine', () => {
    const envs: Record<string, string>[] = [
      { PLAYGROUND_HOSTS: 'sora.lan' },
      { PUBLIC_URL: 'https://bot.example.com' },
    ];
    for (const env of envs) {
      const error = configError(env);
      expect(error?.variable).toBe('PLAYGROUND_TOKEN');
      expect(error?.message).toMatch(
        /^PLAYGROUND_TOKEN: expected a secret because the playground answers to /,
      );
      expect(error?.message).toContain('openssl rand -hex 24');
      expect(error?.message.split('\n')).toHaveLength(1);
    }
    // This machine under another port (a Docker port mapping), or a loopback PUBLIC_URL: no token needed.
    expect(configError({ PLAYGROUND_HOSTS: 'localhost:8080,[::1]:8080' })).toBeUndefined();
    expect(configError({ PUBLIC_URL: 'http://127.0.0.1:3000' })).toBeUndefined();
    // PUBLIC_URL for Discord links while the playground is off.
    expect(
      configError({
        PUBLIC_URL: 'https://bot.example.com',
        DISCORD_TOKEN: 't',
        DISCORD_APPLICATION_ID: '1',
        SORA_PROVIDER: 'emulator',
      }),
    ).toBeUndefined();
    expect(configError({ PUBLIC_URL: 'https://bot.example.com', PLAYGROUND: '0' })).toBeUndefined();
    expect(configError({ PUBLIC_URL: 'https://bot.example.com', PLAYGROUND_TOKEN: TOKEN })).toBeUndefined();
  });

  it('refuses malformed hosts and weak tokens with the fix', () => {
    expect(configError({ PLAYGROUND_HOSTS: 'https://sora.lan', PLAYGROUND_TOKEN: TOKEN })?.message).toMatch(
      /^PLAYGROUND_HOSTS: expected host names with an optional port/,
    );
    expect(configError({ PLAYGROUND_HOSTS: 'sora.lan:70000', PLAYGROUND_TOKEN: TOKEN })?.variable).toBe(
      'PLAYGROUND_HOSTS',
    );
    expect(configError({ PLAYGROUND_TOKEN: 'short' })?.message).toMatch(
      /^PLAYGROUND_TOKEN: expected a secret of 16/,
    );
    expect(configError({ PLAYGROUND_TOKEN: 'has spaces in it but long' })?.variable).toBe('PLAYGROUND_TOKEN');
  });

  it('the adapter refuses too, for a configuration built without parseConfig', () => {
    const config = { ...parseConfig({}), PLAYGROUND_HOSTS: ['sora.lan'] };
    expect(() => requestPolicy(config)).toThrow(ConfigError);
    expect(requestPolicy({ ...config, PLAYGROUND_TOKEN: TOKEN }).token).not.toBeNull();
    expect(requestPolicy(parseConfig({})).token).toBeNull();
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

describe('the composer’s selects', () => {
  const core = {
    readForComposer: (text: string) =>
      readForComposer(text, { capabilities: CAPABILITIES.openai, defaultModel: 'sora-2' }),
  };
  const selects = { seconds: '8', size: '1280x720' };

  it('go in front of a prompt, also one that begins with a command word, and never override what is typed', () => {
    expect(withSelectedOptions(core, 'help me fly over a city', selects)).toBe(
      '--size 1280x720 --seconds 8 help me fly over a city',
    );
    expect(withSelectedOptions(core, 'a fox --seconds 12', selects)).toBe(
      '--size 1280x720 a fox --seconds 12',
    );
    expect(withSelectedOptions(core, 'a fox --portrait', selects)).toBe('--seconds 8 a fox --portrait');
    expect(withSelectedOptions(core, 'a fox', {})).toBe('a fox');
  });

  it('leave commands and usage problems as typed, for the grammar to answer', () => {
    expect(withSelectedOptions(core, 'list --all', selects)).toBe('list --all');
    expect(withSelectedOptions(core, 'help', selects)).toBe('help');
    expect(withSelectedOptions(core, 'status', selects)).toBe('status');
    expect(withSelectedOptions(core, 'a fox --bogus', selects)).toBe('a fox --bogus');
  });
});
