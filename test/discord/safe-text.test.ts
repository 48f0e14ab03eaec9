/**
 * No link anyone typed renders live in a message the bot writes: neutraliseLinks on its own (every
 * link form Discord parses, idempotent, invisible, mentions and timestamps untouched), then every kind
 * of rendered message with hostile text in every field people or the core fill, and the adapter's own
 * download link, which must stay live.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../adapters/discord/render-message.js';
import { neutraliseLinks } from '../../adapters/discord/safe-text.js';
import type { BotMessage, JobView } from '../../src/core/messages.js';

/** A link Discord would render: masked `[t](…)`, autolink `<scheme:/…>`, or a bare `scheme://`. */
const LIVE_LINK = [/\[[^\]\n]*\]\(/, /<[a-z][a-z0-9+.-]*:\//i, /\b[a-z][a-z0-9+.-]*:\/\//i];
const liveLinks = (text: string) => LIVE_LINK.filter((re) => re.test(text));
const visible = (text: string) => text.replaceAll('\u200b', '');

const HOSTILE = [
  '[Verify your account](https://evil.example/login)',
  '[x](<https://evil.example/a>)',
  '<https://evil.example/b>',
  'https://evil.example/c',
  'HTTPS://EVIL.EXAMPLE/D',
  'http:/evil.example/e',
  '<http:/evil.example/f>',
  '[t] (https://evil.example/g)',
  '[[nested](https://a.example)](https://b.example)',
  'discord://-/channels/1/2',
  '`[free](https://evil.example)`',
];

describe('neutraliseLinks', () => {
  it('leaves no link form live and changes nothing visible', () => {
    for (const text of HOSTILE) {
      const safe = neutraliseLinks(text);
      expect(liveLinks(safe), text).toEqual([]);
      expect(visible(safe)).toBe(text);
    }
  });

  it('is idempotent and leaves mentions, channels, emoji and timestamps alone', () => {
    for (const text of HOSTILE) expect(neutraliseLinks(neutraliseLinks(text))).toBe(neutraliseLinks(text));
    const markup = '<@123> <@&456> <#789> <:sora:1011> <t:1700000000:R> `k3f9qz` **bold** C:\\temp 10:30';
    expect(neutraliseLinks(markup)).toBe(markup);
  });

  it('holds for any text around a link (property)', () => {
    const url = fc.constantFrom(
      'https://e.example/x',
      'http:/e.example',
      'HTTP://E.EXAMPLE',
      'ftp://e.example',
    );
    fc.assert(
      fc.property(fc.string(), url, fc.string(), fc.string(), (before, target, text, after) => {
        for (const form of [`[${text}](${target})`, `[${text}](<${target}>)`, `<${target}>`, target]) {
          const input = `${before}${form}${after}`;
          const safe = neutraliseLinks(input);
          expect(visible(safe)).toBe(input.replaceAll('\u200b', ''));
          // Masked-link syntax and scheme-slash sequences do not survive anywhere.
          expect(safe).not.toMatch(/\]\s*\(/);
          expect(safe).not.toMatch(/[a-z][a-z0-9+.-]*:\//i);
        }
      }),
    );
  });
});

const hostile = HOSTILE.join(' ');
const job: JobView = {
  id: 'k3f9qz',
  prompt: hostile,
  seconds: '8',
  size: '1280x720',
  model: 'sora-2',
  state: 'rendering',
  progress: 40,
  requesterUser: 'playground-name',
  requesterName: '[Alice](https://evil.example/name)',
  remixOf: null,
  hasImage: false,
  createdAt: 0,
  failureCode: null,
};

describe('rendered messages', () => {
  const every: BotMessage[] = [
    { kind: 'status', job, phase: 'rendering', progress: 40, queuePosition: null, etaMs: null },
    { kind: 'result', job, notes: [hostile], actions: [] },
    { kind: 'failure', job, code: 'provider_error', text: hostile, hint: hostile, requestId: hostile },
    { kind: 'list', scope: 'channel', jobs: [job], page: 1, pageCount: 1, total: 1, actions: [] },
    { kind: 'job_details', job, queuePosition: null, actions: [] },
    { kind: 'help', commands: [], notes: [hostile] },
    { kind: 'notice', tone: 'warning', text: hostile },
    { kind: 'usage', title: hostile, lines: [hostile], chart: null },
  ];

  it('show no live link in content or embeds, whatever the kind', () => {
    for (const message of every) {
      const payload = renderMessage(message);
      expect(liveLinks(payload.content), `${message.kind} content`).toEqual([]);
      expect(liveLinks(JSON.stringify(payload.embeds)), `${message.kind} embeds`).toEqual([]);
      expect(payload.allowedMentions).toEqual({ parse: [] });
    }
  });

  it('stay within Discord’s limits although neutralising adds characters', () => {
    const dense = 'a://'.repeat(2_000);
    const usage = renderMessage({ kind: 'usage', title: dense, lines: [dense], chart: null });
    expect(usage.embeds[0]!.title!.length).toBeLessThanOrEqual(256);
    expect(usage.embeds[0]!.description!.length).toBeLessThanOrEqual(4096);
    const own = '[Download the original](<https://bot.example/discord/videos/k3f9qz.mp4>)';
    const result = renderMessage({ kind: 'result', job, notes: [dense], actions: [] }, [own]);
    expect(result.content.length).toBeLessThanOrEqual(2000);
    expect(result.content.endsWith(own)).toBe(true);
  });

  it('keep the adapter’s own download link live', () => {
    const own = '[Download the original](<https://bot.example/discord/videos/k3f9qz.mp4?expires=1&sig=ab>)';
    const payload = renderMessage({ kind: 'result', job, notes: [], actions: [] }, [own]);
    expect(payload.content.endsWith(own)).toBe(true);
    // Everything before it is still inert.
    expect(liveLinks(payload.content.slice(0, -own.length))).toEqual([]);
  });
});
