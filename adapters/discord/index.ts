/**
 * The Discord adapter: /sora slash commands (with autocomplete of video ids), the "Remix with Sora" /
 * "Animate with Sora" context menus, Remix / Delete buttons, remix and delete by reaction, and delivery
 * of finished videos into the channel they were asked from, through the bot token; where the bot is
 * not a member (a user install in DMs or other servers), through the interaction (app-delivery.ts). Starts whenever DISCORD_TOKEN is set.
 * Register the commands once with `sora-bot discord register [--guild ID]` (README: Run it in Discord).
 */
import { once } from 'node:events';
import { join } from 'node:path';
import { type Client, Events } from 'discord.js';
import type { AdapterContext, AdapterStarter, RunningAdapter } from '../../src/adapter-plugin.js';
import { DEFAULTS } from '../../src/defaults.js';
import { AttachmentDownloads } from './attachment-download.js';
import { createDiscordClient } from './client-factory.js';
import { DISCORD_PLATFORM } from './conversation.js';
import { loggableError } from './discord-errors.js';
import { DiscordSurface } from './discord-surface.js';
import { DownloadLinks } from './download-links.js';
import { mountDownloadRoute } from './download-route.js';
import { GatewayLease } from './gateway-lease.js';
import { InteractionRouter } from './interaction-router.js';
import { InteractionTokens } from './interaction-tokens.js';
import { listenForReactions } from './reactions.js';
import { UploadLimits } from './upload-limits.js';

export { commandDefinitions, registerCommands } from './command-definitions.js';
export { decodeConversation, encodeConversation } from './conversation.js';
export { DiscordSurface } from './discord-surface.js';

/** How long to wait for the gateway's READY before giving up on start. */
const READY_TIMEOUT_MS = 60_000;

export interface RunningDiscordAdapter extends RunningAdapter {
  readonly surface: DiscordSurface;
}

export const startDiscord: AdapterStarter = (ctx) => startDiscordAdapter(ctx);

export async function startDiscordAdapter(ctx: AdapterContext): Promise<RunningDiscordAdapter> {
  const { config, core, http } = ctx;
  const token = config.DISCORD_TOKEN;
  if (!token) throw new Error('DISCORD_TOKEN is not set');
  const logger = ctx.logger.child({ adapter: 'discord' });
  const values = ctx.values(DISCORD_PLATFORM);
  const uploadLimits = new UploadLimits(values);
  const links = config.PUBLIC_URL
    ? await DownloadLinks.open({
        values,
        publicUrl: config.PUBLIC_URL,
        secret: config.DOWNLOAD_LINK_SECRET,
        ttlMs: DEFAULTS.downloadLinkTtlMs,
        clock: ctx.clock,
      })
    : null;
  if (links) mountDownloadRoute(http, links, (jobId) => core.jobRecord(jobId));
  const tokens = new InteractionTokens(values, ctx.clock);
  const client = createDiscordClient({ apiUrl: config.DISCORD_API_URL, dispatcher: ctx.dispatcher });
  const surface = new DiscordSurface({
    client,
    tokens,
    uploadLimits,
    links,
    workDir: join(config.DATA_DIR, 'discord'),
    ffmpegPath: config.FFMPEG_PATH,
    logger,
  });
  core.registerSurface(surface);
  const attachments = new AttachmentDownloads({ apiUrl: config.DISCORD_API_URL, logger });
  const router = new InteractionRouter({ core, values, uploadLimits, attachments, tokens, logger });
  client.on(Events.InteractionCreate, (interaction) => void router.handle(interaction));
  listenForReactions({
    client,
    core,
    values,
    remixEmoji: config.DISCORD_REMIX_EMOJI,
    deleteEmoji: DEFAULTS.discordDeleteEmoji,
    logger,
  });
  client.on(Events.Error, (error) => logger.warn({ err: loggableError(error) }, 'discord client error'));
  client.on(Events.ShardResume, () => logger.info({}, 'gateway session resumed'));
  const gateway = new GatewayLease({ client, token, values, logger, login });
  const state = await gateway.start();
  const tag = client.user?.tag ?? 'the bot';
  if (state === 'connected')
    logger.info({ user: client.user?.id, guilds: client.guilds.cache.size }, 'discord connected');
  else logger.info({}, 'another replica holds the Discord gateway; delivering videos and standing by');
  return {
    name: DISCORD_PLATFORM,
    surface,
    summary:
      state === 'connected'
        ? `logged in as ${tag} in ${client.guilds.cache.size} server(s)${links ? '; download links on' : ''}`
        : `standing by (another replica holds the gateway; this one delivers videos and takes over if it stops)${links ? '; download links on' : ''}`,
    async close() {
      await gateway.close();
      await client.destroy();
      await attachments.close();
    },
  };
}

async function login(client: Client, token: string): Promise<void> {
  const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
  // Handled below; without this a failed login leaves the timeout's rejection unobserved.
  ready.catch(() => undefined);
  try {
    await client.login(token);
    await ready;
  } catch (error) {
    await client.destroy();
    // discord.js's messages name the problem (e.g. "An invalid token was provided.") and never the token.
    throw new Error(
      `could not connect to Discord: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}
