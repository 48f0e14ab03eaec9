/**
 * The Discord adapter's pure parts: identities, custom ids, rendering (escaping, no mentions, length),
 * the command set per provider, the re-encode size rule, signed links, the
 * job-start limit and the per-guild upload limits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../adapters/discord/command-definitions.js';
import { ConcurrencyLimit } from '../../adapters/discord/concurrency-limit.js';
import { channelScope, postingChannel } from '../../adapters/discord/conversation.js';
import {
  type DiscordComponentId,
  decodeComponentId,
  encodeComponentId,
} from '../../adapters/discord/custom-ids.js';
import { DownloadLinks } from '../../adapters/discord/download-links.js';
import { scaledHeight } from '../../adapters/discord/fit-video.js';
import { renderMessage } from '../../adapters/discord/render-message.js';
import { FALLBACK_UPLOAD_LIMIT_BYTES, UploadLimits } from '../../adapters/discord/upload-limits.js';
import type { BotMessage, JobView } from '../../src/core/messages.js';
import { CAPABILITIES } from '../../src/sora/capabilities.js';
import { namespacedValues } from '../../src/store/key-values.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

const snowflake = fc.bigInt({ min: 10n ** 16n, max: 2n ** 63n - 1n }).map(String);
const shortId = fc
  .array(fc.constantFrom(...'23456789abcdefghjkmnpqrstuvwxyz'), { minLength: 6, maxLength: 6 })
  .map((c) => c.join(''));

describe('conversation identities', () => {
  // The round trips of conversations and message refs are in the surface contract
  // (test/contracts/discord.contract.test.ts); these are the rules built on them.
  it('posts into the innermost channel and lists by the parent channel', () => {
    fc.assert(
      fc.property(
        snowflake,
        snowflake,
        fc.option(snowflake, { nil: null }),
        (guildId, channelId, threadId) => {
          const c = { guildId, channelId, threadId };
          expect(postingChannel(c)).toBe(threadId ?? channelId);
          expect(channelScope(c)).toBe(`discord:${guildId}:${channelId}`);
        },
      ),
    );
  });
});

describe('custom ids', () => {
  it('round-trip within Discord’s 100 characters', () => {
    const id: fc.Arbitrary<DiscordComponentId> = fc.oneof(
      shortId.map((jobId) => ({ kind: 'remix' as const, jobId })),
      shortId.map((jobId) => ({ kind: 'delete' as const, jobId })),
      shortId.map((jobId) => ({ kind: 'approve' as const, jobId })),
      shortId.map((jobId) => ({ kind: 'deny' as const, jobId })),
      shortId.map((jobId) => ({ kind: 'remix_modal' as const, jobId })),
      snowflake.map((key) => ({ kind: 'animate_modal' as const, key })),
      fc.record({
        kind: fc.constant('list_page' as const),
        page: fc.integer({ min: 1, max: 10_000 }),
        all: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(id, (value) => {
        const encoded = encodeComponentId(value);
        expect(encoded.length).toBeLessThanOrEqual(100);
        expect(decodeComponentId(encoded)).toEqual(value);
      }),
    );
  });

  it('ignores ids the bot did not make', () => {
    for (const id of [
      '',
      'sora',
      'other:remix:k3f9qz',
      'sora:remix:K3F9QZ0',
      'sora:remix:k3f9qz:x',
      'sora:list:0:all',
      'sora:approve:',
      'sora:deny:k3f9qz:yes',
      'sora:nope:1',
    ])
      expect(decodeComponentId(id)).toBeUndefined();
  });
});

const job: JobView = {
  id: 'k3f9qz',
  prompt: '**bold** @everyone <@&1234> ||spoiler|| `code`',
  seconds: '8',
  size: '1280x720',
  model: 'sora-2',
  state: 'delivered',
  progress: 100,
  requesterUser: '100000000000000001',
  requesterName: 'Alice',
  remixOf: 'abc234',
  hasImage: false,
  createdAt: 0,
  failureCode: null,
};

describe('rendering', () => {
  const every: BotMessage[] = [
    { kind: 'status', job, phase: 'rendering', progress: 40, queuePosition: null, etaMs: null },
    {
      kind: 'result',
      job,
      notes: ['Re-encoded.'],
      actions: [{ kind: 'remix', jobId: job.id, label: 'Remix' }],
    },
    { kind: 'failure', job, code: 'provider_error', text: 'Sora failed', hint: null, requestId: 'req_`x`' },
    {
      kind: 'list',
      scope: 'mine',
      jobs: [job],
      page: 1,
      pageCount: 2,
      total: 6,
      actions: [{ kind: 'list_page', page: 2, all: false, label: 'Next' }],
    },
    { kind: 'job_details', job, queuePosition: null, actions: [] },
    { kind: 'help', commands: [], notes: ['A note.'] },
    { kind: 'notice', tone: 'warning', text: 'Careful.' },
  ];

  it('never allows a mention, whatever the message', () => {
    for (const message of every) expect(renderMessage(message).allowedMentions).toEqual({ parse: [] });
  });

  it('escapes the prompt’s markdown and keeps the caption within 2000 characters', () => {
    const caption = renderMessage(every[1]!).content;
    expect(caption).toContain('\\*\\*bold\\*\\*');
    expect(caption).toContain('\\|\\|spoiler\\|\\|');
    expect(caption).toContain('remix of abc234');
    expect(caption).toContain('<@100000000000000001>');
    const huge = renderMessage({
      kind: 'result',
      job: { ...job, prompt: 'x'.repeat(32_000) },
      notes: [],
      actions: [],
    });
    expect(huge.content.length).toBeLessThanOrEqual(2000);
  });

  it('turns actions into buttons whose ids the router decodes', () => {
    const [row] = renderMessage(every[1]!).components;
    expect(row?.components.map((b) => ('custom_id' in b ? b.custom_id : ''))).toEqual(['sora:remix:k3f9qz']);
  });
});

describe('command definitions', () => {
  it('offers exactly what each provider renders, within Discord’s limits', () => {
    for (const caps of Object.values(CAPABILITIES)) {
      const [sora, ...menus] = commandDefinitions(caps);
      expect(menus.map((m) => m.name)).toEqual(['Remix with Sora', 'Animate with Sora']);
      const generate = (
        sora as { options: { name: string; options: { name: string; choices?: { value: unknown }[] }[] }[] }
      ).options.find((o) => o.name === 'generate')!;
      const choices = (name: string) =>
        generate.options.find((o) => o.name === name)?.choices?.map((c) => c.value);
      expect(choices('model')).toEqual(Object.keys(caps.models));
      expect(choices('size')).toEqual([...new Set(Object.values(caps.models).flatMap((m) => m.sizes))]);
      expect(choices('seconds')).toEqual([4, 8, 12]);
      const json = JSON.stringify(sora);
      for (const name of json.matchAll(/"name":"([^"]+)"/g)) expect(name[1]!.length).toBeLessThanOrEqual(100);
    }
  });
});

it('scales a re-encode down only as far as the bitrate needs, to an even height', () => {
  fc.assert(
    fc.property(
      fc.constantFrom([720, 1280], [1280, 720], [1080, 1920]),
      fc.integer({ min: 40_000, max: 50_000_000 }),
      ([w, h], bps) => {
        const height = scaledHeight(w!, h!, bps);
        expect(height % 2).toBe(0);
        expect(height).toBeLessThanOrEqual(h!);
        expect(height).toBeGreaterThanOrEqual(144);
        expect(scaledHeight(w!, h!, bps * 2)).toBeGreaterThanOrEqual(height);
      },
    ),
  );
  expect(scaledHeight(720, 1280, 20_000_000)).toBe(1280);
});

it('signs download links that expire and cannot be moved to another job', () => {
  let now = 1_000_000;
  const clock = { now: () => now, sleep: async () => {} };
  const links = new DownloadLinks('secret', 'https://bot.example', 60_000, clock);
  const { url } = links.urlFor('k3f9qz');
  const params = new URL(url).searchParams;
  expect(links.verify('k3f9qz', params.get('expires'), params.get('sig'))).toBe('ok');
  expect(links.verify('abc234', params.get('expires'), params.get('sig'))).toBe('invalid');
  expect(links.verify('k3f9qz', String(Number(params.get('expires')) + 1), params.get('sig'))).toBe(
    'invalid',
  );
  expect(links.verify('k3f9qz', params.get('expires'), null)).toBe('invalid');
  now += 60_001;
  expect(links.verify('k3f9qz', params.get('expires'), params.get('sig'))).toBe('expired');
  expect(
    new DownloadLinks('other', 'https://bot.example', 60_000, clock).verify(
      'k3f9qz',
      params.get('expires'),
      params.get('sig'),
    ),
  ).toBe('invalid');
});

it('runs at most N job starts at once, in arrival order', async () => {
  const limit = new ConcurrencyLimit(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      limit.run(async () => {
        order.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      }),
    ),
  );
  expect(peak).toBe(2);
  expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});

it('remembers each guild’s upload limit across instances and lowers it after a refusal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sora-limits-'));
  const store = await SqliteStore.open(join(dir, 'store.sqlite'));
  const values = namespacedValues(store, 'discord');
  try {
    const limits = new UploadLimits(values);
    expect(await limits.get('1')).toBe(FALLBACK_UPLOAD_LIMIT_BYTES);
    await limits.remember('1', 25 * 1024 * 1024);
    await limits.remember('2', null);
    expect(await new UploadLimits(values).get('1')).toBe(25 * 1024 * 1024);
    expect(await new UploadLimits(values).get('2')).toBe(FALLBACK_UPLOAD_LIMIT_BYTES);
    expect(await limits.lowerBelow('1', 20_000_000)).toBe(18_000_000);
    expect(await new UploadLimits(values).get('1')).toBe(18_000_000);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('generates the download-link secret once: two processes opening together sign alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sora-links-'));
  const store = await SqliteStore.open(join(dir, 'store.sqlite'));
  const values = namespacedValues(store, 'discord');
  const clock = { now: () => 1_700_000_000_000, sleep: async () => {} };
  try {
    const open = () =>
      DownloadLinks.open({
        values,
        publicUrl: 'https://bot.example/',
        secret: undefined,
        ttlMs: 60_000,
        clock,
      });
    const [a, b] = await Promise.all([open(), open()]);
    const { url } = a.urlFor('k3f9qz');
    expect(b.urlFor('k3f9qz').url).toBe(url);
    const link = new URL(url);
    expect(
      (await open()).verify('k3f9qz', link.searchParams.get('expires'), link.searchParams.get('sig')),
    ).toBe('ok');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
