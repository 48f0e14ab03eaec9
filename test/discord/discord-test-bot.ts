/**
 * A whole sora-bot (startBot: embedded emulator, SQLite store, HTTP server, Discord adapter) logged in
 * to a wire-level fake Discord. Restarting keeps DATA_DIR (the ledger, the emulator's jobs), the way a
 * real bot restarts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type RunningBot, startBot } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { type JobView, toJobView } from '../../src/core/messages.js';
import { createLogger } from '../../src/logging.js';
import {
  type FakeDiscord,
  type FakeDiscordOptions,
  type InteractionHandle,
  type MessageWrite,
  type StoredMessage,
  startFakeDiscord,
} from '../fakes/discord/index.js';

export interface DiscordTestBot {
  fake: FakeDiscord;
  bot: RunningBot;
  dataDir: string;
  /** Stops the bot (not the fake) and starts a new one on the same DATA_DIR. */
  restart(): Promise<RunningBot>;
  close(): Promise<void>;
}

export async function startDiscordTestBot(
  options: {
    fake?: FakeDiscordOptions;
    env?: Record<string, string>;
    /** Collects the bot's JSON log lines (at debug level) instead of discarding them. */
    logLines?: string[];
  } = {},
): Promise<DiscordTestBot> {
  // A loaded CI machine can take more than Discord's 3 s to answer; the defer itself is what is tested.
  const fake = await startFakeDiscord({
    heartbeatIntervalMs: 1_000,
    interactionAckDeadlineMs: 10_000,
    ...options.fake,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'sora-discord-'));
  const launch = () =>
    startBot(
      parseConfig({
        SORA_PROVIDER: 'emulator',
        DISCORD_TOKEN: fake.token,
        DISCORD_APPLICATION_ID: fake.applicationId,
        DISCORD_API_URL: fake.apiBase,
        DATA_DIR: dataDir,
        PORT: '0',
        SORA_EMULATOR_RENDER_MS: '300',
        SORA_RPM: '0',
        SORA_MAX_CONCURRENT: '4',
        LOG_LEVEL: 'silent',
        ...options.env,
      }),
      {
        print: () => {},
        ...(options.logLines ? { logger: createLogger('debug', lineCollector(options.logLines)) } : {}),
      },
    );
  let bot = await launch();
  const handle: DiscordTestBot = {
    fake,
    get bot() {
      return bot;
    },
    dataDir,
    async restart() {
      await bot.close();
      bot = await launch();
      return bot;
    },
    async close() {
      // The Discord client first (it is closed with the bot), then the fake: see FakeDiscord.close().
      await bot.close();
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** The short job id a status or result message shows (`id \`k3f9qz\``). */
export function jobIdIn(content: string | undefined): string | undefined {
  return /id `([2-9a-hjkmnp-z]{6})`/.exec(content ?? '')?.[1];
}

/** Every custom_id on a stored message's buttons. */
export function customIdsOf(message: StoredMessage): string[] {
  const ids: string[] = [];
  for (const row of message.components as { components?: { custom_id?: string }[] }[])
    for (const component of row.components ?? []) if (component.custom_id) ids.push(component.custom_id);
  return ids;
}

/** The message carrying job `jobId`'s video (a bot message with its Remix and Delete buttons). */
export function deliveredMessage(
  fake: FakeDiscord,
  jobId: string,
  channelId = fake.channelId,
): StoredMessage | undefined {
  return fake
    .messagesIn(channelId)
    .find(
      (m) =>
        m.authorId === fake.bot.id &&
        customIdsOf(m).includes(`sora:delete:${jobId}`) &&
        customIdsOf(m).includes(`sora:remix:${jobId}`),
    );
}

export function waitForDelivery(
  fake: FakeDiscord,
  jobId: string,
  channelId?: string,
): Promise<StoredMessage> {
  // No deadline of its own: the test's timeout is the limit (a loaded machine only takes longer).
  return fake.waitFor(() => deliveredMessage(fake, jobId, channelId));
}

/** The job id shown in an interaction's original (status) message, once the bot wrote it. */
export function waitForJobId(fake: FakeDiscord, handle: InteractionHandle): Promise<string> {
  return fake.waitFor(() => {
    const id = handle.record.originalMessageId;
    return id ? jobIdIn(fake.message(id)?.content) : undefined;
  });
}

/**
 * Writes whose `allowed_mentions` would let Discord ping anyone but the one requester a new delivery
 * or failure message names (should be none). The requester's ping (notify-settings.ts) is a channel
 * message created with `users: [ID]`, nothing parsed, and `<@ID>` in its content; see `pingingWrites`.
 */
export function mentioningWrites(fake: FakeDiscord): MessageWrite[] {
  return fake.recorder.messageWrites.filter((w) => {
    const allowed = w.allowedMentions as
      | { parse?: unknown; users?: unknown[]; roles?: unknown[]; replied_user?: unknown }
      | undefined;
    const users = allowed?.users ?? [];
    const requesterPing =
      w.kind === 'channel-create' &&
      users.length === 1 &&
      typeof users[0] === 'string' &&
      (w.content ?? '').includes(`<@${users[0]}>`);
    return (
      !allowed ||
      !Array.isArray(allowed.parse) ||
      allowed.parse.length > 0 ||
      (users.length > 0 && !requesterPing) ||
      (allowed.roles?.length ?? 0) > 0 ||
      Boolean(allowed.replied_user)
    );
  });
}

/** Writes that ping someone: each names exactly one user (the requester of a delivery or failure). */
export function pingingWrites(fake: FakeDiscord): MessageWrite[] {
  return fake.recorder.messageWrites.filter(
    (w) => ((w.allowedMentions as { users?: unknown[] } | undefined)?.users?.length ?? 0) > 0,
  );
}

/** Every job of a channel, newest first (what `/sora list all:true` pages through). */
export async function jobsInChannel(
  bot: RunningBot,
  fake: FakeDiscord,
  channelId = fake.channelId,
): Promise<JobView[]> {
  return (await bot.core.channelJobs(`discord:${fake.guild.id}:${channelId}`)).map(toJobView);
}

/** Polls an async condition (the bot's ledger) until it holds; the test's timeout is the limit. */
export { until } from '../support/until.js';

function lineCollector(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
}
