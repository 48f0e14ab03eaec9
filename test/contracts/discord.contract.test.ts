/**
 * The Discord surface over the wire-level fake Discord with the real discord.js client. A restarted
 * surface is a new client logged in afresh (empty caches) with a new UploadLimits over the same
 * adapter values; the fake keeps the guild and its messages.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, Events } from 'discord.js';
import fc from 'fast-check';
import { expect } from 'vitest';
import { createDiscordClient } from '../../adapters/discord/client-factory.js';
import {
  DISCORD_PLATFORM,
  decodeConversation,
  decodeMessageRef,
  encodeConversation,
  encodeMessageRef,
  postingChannel,
} from '../../adapters/discord/conversation.js';
import { DiscordSurface, videoFileName } from '../../adapters/discord/discord-surface.js';
import { UploadLimits } from '../../adapters/discord/upload-limits.js';
import { silentLogger } from '../../src/core/logger.js';
import { namespacedValues } from '../../src/store/key-values.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { Permission, startFakeDiscord } from '../fakes/discord/index.js';
import { type IdCodec, surfaceContract } from './surface-contract.js';

const snowflake = fc.bigInt({ min: 10n ** 16n, max: 2n ** 63n - 1n }).map(String);

const conversation: IdCodec<{ guildId: string; channelId: string; threadId: string | null }> = {
  name: 'conversation',
  conversation: true,
  values: fc.record({
    guildId: snowflake,
    channelId: snowflake,
    threadId: fc.option(snowflake, { nil: null }),
  }),
  encode: encodeConversation,
  decode: decodeConversation,
  rejects: ['slack:T1:C1', 'discord:1:2:3:4', 'discord:1', 'discord:a:b', 'playground:lobby', ''],
  examples: [
    [{ guildId: '1', channelId: '2', threadId: null }, 'discord:1:2'],
    [{ guildId: '1', channelId: '2', threadId: '3' }, 'discord:1:2:3'],
  ],
};

const messageRef: IdCodec<{ channelId: string; messageId: string }> = {
  name: 'message ref',
  values: fc.record({ channelId: snowflake, messageId: snowflake }),
  encode: encodeMessageRef,
  decode: decodeMessageRef,
  rejects: ['T1:C1:1700000000.0001', 'discord:1:2', '1', ''],
  examples: [[{ channelId: '2', messageId: '3' }, '2:3']],
};

surfaceContract({
  name: 'Discord',
  platform: 'discord',
  codecs: [conversation, messageRef],
  async setup() {
    const fake = await startFakeDiscord({
      guilds: [
        {
          channels: [
            { name: 'general' },
            { name: 'read-only', botOverwrite: { deny: Permission.SendMessages } },
            { name: 'busy' },
          ],
        },
      ],
    });
    const [general, readOnly, busy] = fake.world.channelsOf(fake.guild.id);
    const dir = mkdtempSync(join(tmpdir(), 'sora-contract-discord-'));
    const store = await SqliteStore.open(join(dir, 'sora-bot.sqlite'));
    const values = namespacedValues(store, DISCORD_PLATFORM);
    const clients: Client[] = [];
    const at = (channelId: string) =>
      encodeConversation({ guildId: fake.guild.id, channelId, threadId: null });
    const newSurface = async () => {
      const client = createDiscordClient({ apiUrl: fake.apiBase, retries: 0 });
      clients.push(client);
      const ready = once(client, Events.ClientReady);
      await client.login(fake.token);
      await ready;
      return new DiscordSurface({
        client,
        uploadLimits: new UploadLimits(values),
        links: null,
        workDir: join(dir, 'work'),
        logger: silentLogger,
      });
    };
    const messageOf = (ref: string) => {
      const location = decodeMessageRef(ref);
      const message = location ? fake.message(location.messageId) : undefined;
      return message && message.channelId === location?.channelId ? message : undefined;
    };
    return {
      conversation: at(general!.id),
      newSurface,
      async visibleVideos(where, jobId) {
        const c = decodeConversation(where)!;
        return fake
          .messagesIn(postingChannel(c))
          .filter(
            (m) =>
              m.authorId === fake.bot.id && m.attachments.some((a) => a.filename === videoFileName(jobId)),
          ).length;
      },
      async messageText(ref) {
        const message = messageOf(ref);
        return message ? `${message.content}\n${JSON.stringify(message.embeds)}` : undefined;
      },
      exists: async (ref) => messageOf(ref) !== undefined,
      provoke: {
        not_in_channel: {
          how: 'a channel where the bot may not send',
          run: ({ surface, status, job }) => surface.startJob(at(readOnly!.id), status(job)),
        },
        upload_refused: {
          how: 'a guild limit no re-encode can meet, and no PUBLIC_URL for a link',
          async run({ delivery, progress, job }) {
            await values.set(`upload-limit:${fake.guild.id}`, 2_000);
            try {
              // A fresh process: its UploadLimits reads the stored limit.
              const surface = await newSurface();
              return await surface.deliverVideo(delivery(job, at(general!.id)), progress);
            } finally {
              await values.delete(`upload-limit:${fake.guild.id}`);
            }
          },
        },
        rate_limited: {
          how: 'a 429 asking for two minutes',
          async run({ status, job }) {
            // Its own client and channel: the client remembers the bucket's two minutes.
            const surface = await newSurface();
            fake.injectRateLimit({
              method: 'POST',
              route: '/channels/:channelId/messages',
              retryAfterMs: 120_000,
            });
            return surface.startJob(at(busy!.id), status(job));
          },
        },
        platform_error: {
          how: 'Discord refusing the message body',
          run: ({ surface, conversation: where, status, job }) => {
            fake.injectError({
              method: 'POST',
              route: '/channels/:channelId/messages',
              status: 400,
              code: 50035,
              message: 'Invalid Form Body',
            });
            return surface.startJob(where, status(job));
          },
        },
      },
      rules: [
        {
          name: 'video sends carry the job nonce with enforce_nonce',
          check: () => {
            const sends = fake.recorder
              .callsTo('POST', '/channels/:channelId/messages')
              .filter((c) => c.files.length > 0);
            expect(sends.length).toBeGreaterThan(0);
            for (const send of sends)
              expect(send.json).toMatchObject({
                nonce: expect.stringMatching(/^sora-/),
                enforce_nonce: true,
              });
          },
        },
      ],
      async close() {
        for (const client of clients) await client.destroy();
        await fake.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
