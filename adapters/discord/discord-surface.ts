/**
 * The Discord ChatSurface. Every call uses the bot token through the channel (`channel.send`,
 * `channel.messages.edit`), never an interaction token: a render can outlast the 15-minute token, and
 * the status message is addressed by `CHANNEL:MESSAGE` from the moment the deferred reply became it
 * (docs/platforms.md, Discord). Delivery fits the video under the guild's upload limit
 * (re-encoding when needed) and, with PUBLIC_URL, links the original through a signed URL.
 *
 * Exactly once: before the send, the delivery checkpoints where it posts and a snowflake from just
 * before (`after`); after it, the message id. The send carries a nonce derived from the job id with
 * `enforce_nonce`, so a repeat within Discord's few-minute window gets the first message back instead
 * of a second one. After a crash `findDelivery` fetches the recorded message, or else reads the few
 * messages posted since `after` (Discord has no history throttle like Slack's).
 *
 * The parts live next to this file, one concern each: fitting a video over the limit and the link to
 * the original (oversize-video.ts), what a delivery records and where it posts (delivery-target.ts),
 * resolving channels and refs (channel-access.ts), what a removal answer means (removal-answers.ts),
 * and the last check on pings (allowed-mentions.ts). The calls the invite's permissions name
 * (invite.ts) stay here.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Client,
  type Message,
  type MessageCreateOptions,
  type MessageEditOptions,
  type SendableChannels,
  SnowflakeUtil,
} from 'discord.js';
import type { Logger } from '../../src/core/logger.js';
import type { BotMessage, ResultMessage, StatusMessage } from '../../src/core/messages.js';
import {
  type ChatSurface,
  type DeliveredVideo,
  type DeliveryProgress,
  SurfaceError,
  type SurfaceLimits,
  type ThreadStart,
  type VideoDelivery,
} from '../../src/core/surface.js';
import { onlyRequesterPing } from './allowed-mentions.js';
import { decodeAppConversation } from './app-conversation.js';
import { AppDelivery } from './app-delivery.js';
import { decode, refOf, sendableChannel } from './channel-access.js';
import {
  DISCORD_PLATFORM,
  type DiscordConversation,
  decodeMessageRef,
  postingChannel,
} from './conversation.js';
import { customIdsOf, encodeComponentId } from './custom-ids.js';
import {
  type DeliveryTarget,
  type DiscordDeliveryFacts,
  deliveryNonce,
  videoFileName,
} from './delivery-target.js';
import { isTooLarge, loggableError, toSurfaceError } from './discord-errors.js';
import type { DownloadLinks } from './download-links.js';
import type { InteractionTokens } from './interaction-tokens.js';
import { deliverLinkOnly, fitUnderLimit, megabytes, originalLinkNote } from './oversize-video.js';
import { isGone, removing } from './removal-answers.js';
import { NO_MENTIONS, renderMessage } from './render-message.js';
import type { UploadLimits } from './upload-limits.js';

// Importers (app-delivery.ts, status-video.ts, tests) take these from the surface.
export { onlyRequesterPing } from './allowed-mentions.js';
export {
  type DeliveryTarget,
  type DiscordDeliveryFacts,
  deliveryNonce,
  videoFileName,
} from './delivery-target.js';
export { megabytes } from './oversize-video.js';

export const DISCORD_LIMITS = {
  // Per guild: read from each interaction and kept by UploadLimits; deliverVideo applies it.
  maxUploadBytes: null,
  // Message edits in one channel share a small rate-limit bucket (about 5 per 5 s).
  progressIntervalMs: 3_000,
} as const satisfies SurfaceLimits;

/** How many messages after the checkpoint findDelivery reads (Discord's page maximum). */
const FIND_DELIVERY_PAGE = 100;
/** `after` is taken this long before the send, so a clock a little ahead of Discord's still covers it. */
const AFTER_MARGIN_MS = 60_000;

export interface DiscordSurfaceDeps {
  client: Client;
  /**
   * Tokens of interactions that answer where the bot is not a member (app-delivery.ts). Without it
   * (a surface for server channels only) such jobs are answered in the requester's DM at once.
   */
  tokens?: InteractionTokens | undefined;
  uploadLimits: UploadLimits;
  /** Signed links to originals (only when PUBLIC_URL is set). */
  links: DownloadLinks | null;
  /** Scratch space for re-encoded videos (under DATA_DIR). */
  workDir: string;
  ffmpegPath?: string | undefined;
  logger: Logger;
}

export class DiscordSurface implements ChatSurface {
  readonly platform = DISCORD_PLATFORM;
  readonly limits: SurfaceLimits = DISCORD_LIMITS;

  private readonly app: AppDelivery;

  constructor(private readonly deps: DiscordSurfaceDeps) {
    this.app = new AppDelivery({ client: deps.client, tokens: deps.tokens ?? null, logger: deps.logger });
  }

  async startJob(conversation: string, message: StatusMessage): Promise<ThreadStart> {
    const app = decodeAppConversation(conversation);
    if (app) return { conversation, statusRef: await this.app.post(app, renderMessage(message)) };
    const sent = await this.send(decode(conversation), renderMessage(message));
    return { conversation, statusRef: refOf(sent) };
  }

  async updateStatus(conversation: string, statusRef: string, message: StatusMessage): Promise<void> {
    const app = decodeAppConversation(conversation);
    if (app) return this.app.edit(app, statusRef, renderMessage(message));
    await this.edit(conversation, statusRef, renderMessage(message));
  }

  async post(conversation: string, message: BotMessage): Promise<string> {
    const app = decodeAppConversation(conversation);
    if (app) return this.app.post(app, renderMessage(message));
    return refOf(await this.send(decode(conversation), renderMessage(message)));
  }

  /** The video's message loses the video and its buttons and becomes the note; other messages go. */
  async markDeleted(conversation: string, video: DeliveredVideo, message: BotMessage): Promise<void> {
    const app = decodeAppConversation(conversation);
    if (app)
      return removing(this.deps.logger, () =>
        this.app.edit(app, video.messageRef, { ...renderMessage(message), attachments: [], components: [] }),
      );
    // `attachments: []` drops the video from the message; the buttons go too.
    await removing(this.deps.logger, () =>
      this.edit(conversation, video.messageRef, {
        ...renderMessage(message),
        attachments: [],
        components: [],
      }),
    );
    for (const ref of video.otherRefs) {
      const other = decodeMessageRef(ref);
      if (!other || ref === video.messageRef) continue;
      await removing(this.deps.logger, async () => {
        const channel = await this.channelById(other.channelId, decode(conversation));
        try {
          await channel.messages.delete(other.messageId);
        } catch (error) {
          throw toSurfaceError(error, other.channelId);
        }
      });
    }
  }

  /**
   * Only when resuming: the message recorded after the send, or else a bot message carrying this
   * job's buttons among those posted since the checkpoint's `after`. No facts: nothing was sent.
   */
  async findDelivery(
    conversation: string,
    jobId: string,
    facts: Readonly<Record<string, string>>,
  ): Promise<DeliveredVideo | undefined> {
    const app = decodeAppConversation(conversation);
    if (app) return this.app.findDelivery(app, jobId, facts as DiscordDeliveryFacts);
    const { channelId, after, messageId } = facts as DiscordDeliveryFacts;
    if (!channelId || !(after || messageId)) return undefined;
    const botId = this.deps.client.user?.id;
    try {
      const channel = await this.channelById(channelId, decode(conversation));
      if (messageId) {
        try {
          const found = await channel.messages.fetch({ message: messageId, force: true });
          return found.author.id === botId ? { messageRef: refOf(found), otherRefs: [] } : undefined;
        } catch (error) {
          if (!isGone(error)) throw error;
          return undefined;
        }
      }
      const wanted = [
        encodeComponentId({ kind: 'remix', jobId }),
        encodeComponentId({ kind: 'delete', jobId }),
      ];
      const recent = await channel.messages.fetch({ after, limit: FIND_DELIVERY_PAGE, cache: false });
      const found = [...recent.values()].find(
        (m) => m.author.id === botId && wanted.every((id) => customIdsOf(m).includes(id)),
      );
      return found ? { messageRef: refOf(found), otherRefs: [] } : undefined;
    } catch (error) {
      // Without Read Message History the bot cannot look; the send's nonce still catches a quick repeat.
      this.deps.logger.warn({ jobId, err: loggableError(error) }, 'could not look for an earlier delivery');
      return undefined;
    }
  }

  async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    const app = decodeAppConversation(delivery.conversation);
    if (app)
      return this.app.deliverVideo(app, delivery, progress, (target) =>
        this.deliverTo(target, delivery, progress),
      );
    const c = decode(delivery.conversation);
    return this.deliverTo(
      {
        limitKey: c.guildId,
        channelId: postingChannel(c),
        via: 'channel',
        notes: [],
        send: (payload) =>
          this.send(c, { ...payload, nonce: deliveryNonce(delivery.jobId), enforceNonce: true }),
      },
      delivery,
      progress,
    );
  }

  /**
   * Posts the video to `target`, fitted under its upload limit: checkpoint (where, and a snowflake from
   * just before), send, checkpoint the message id. A 413 lowers the limit and fits again.
   */
  private async deliverTo(
    target: DeliveryTarget,
    delivery: VideoDelivery,
    progress: DeliveryProgress,
  ): Promise<DeliveredVideo> {
    const job = delivery.message.job;
    let limit = await this.deps.uploadLimits.get(target.limitKey);
    // A server's channel has the server's limit; a DM or a user-installed command's, the person's.
    const whose = target.via === 'channel' ? "this server's" : "this conversation's";
    let file = { path: delivery.videoPath, bytes: delivery.videoBytes };
    const fittedPath = join(this.deps.workDir, `${job.id}-fit.mp4`);
    const facts: DiscordDeliveryFacts = {};
    const checkpoint = async (more: DiscordDeliveryFacts) => {
      Object.assign(facts, more);
      await progress.checkpoint({ ...facts });
    };
    // Sends once the checkpoint is recorded, then records the message id (best effort: it is posted).
    const sendRecorded = async (payload: MessageCreateOptions): Promise<DeliveredVideo> => {
      await checkpoint({
        channelId: target.channelId,
        after: SnowflakeUtil.generate({ timestamp: Date.now() - AFTER_MARGIN_MS }).toString(),
        via: target.via,
      });
      const sent = await target.send(payload);
      Object.assign(facts, { messageId: sent.id });
      await progress
        .checkpoint({ ...facts })
        .catch((error: unknown) =>
          this.deps.logger.warn({ jobId: job.id, err: error }, 'could not record the posted message'),
        );
      return { messageRef: refOf(sent), otherRefs: [] };
    };
    try {
      // At most: the original, a re-encode for the remembered limit, one for a limit a 413 revealed.
      for (let attempt = 0; attempt < 3; attempt++) {
        const notes = [...delivery.message.notes, ...target.notes];
        // The signed link is the adapter's own: rendered live, unlike anything from the core or people.
        const ownLines: string[] = [];
        if (file.bytes > limit) {
          const fitted = await fitUnderLimit(this.deps, delivery, limit, fittedPath);
          if (!fitted)
            return await deliverLinkOnly(
              this.deps.links,
              { ...delivery.message, notes },
              limit,
              whose,
              sendRecorded,
            );
          file = fitted;
          notes.push(
            `Re-encoded to ${fitted.height}p (${megabytes(fitted.bytes)}) to fit ${whose} ${megabytes(limit)} upload limit.`,
          );
          ownLines.push(...originalLinkNote(this.deps.links, job.id));
        }
        const payload = renderMessage({ ...delivery.message, notes } satisfies ResultMessage, ownLines);
        try {
          return await sendRecorded({
            ...payload,
            // A Buffer, not the path: discord.js turns a path into a stream that its REST client's undici
            // cannot send. The file is at most the guild's upload limit (tens of MB).
            files: [{ attachment: await readFile(file.path), name: videoFileName(job.id) }],
          });
        } catch (error) {
          if (!isTooLarge(error)) throw error;
          // The guild's limit is lower than we knew (it changed, or no interaction told us yet).
          limit = await this.deps.uploadLimits.lowerBelow(target.limitKey, file.bytes);
          this.deps.logger.info(
            { jobId: job.id, limit },
            'Discord refused the file as too large; fitting it',
          );
        }
      }
      throw new SurfaceError('upload_refused', 'Discord kept refusing the video as too large.', false);
    } finally {
      await rm(fittedPath, { force: true });
    }
  }

  private async send(c: DiscordConversation, payload: MessageCreateOptions): Promise<Message> {
    const channel = await this.channel(c);
    try {
      // Nobody is pinged, except the one requester a delivery or failure names (render-message.ts).
      return await channel.send({ ...payload, allowedMentions: onlyRequesterPing(payload.allowedMentions) });
    } catch (error) {
      if (isTooLarge(error)) throw error;
      throw toSurfaceError(error, postingChannel(c));
    }
  }

  private async edit(conversation: string, messageRef: string, payload: MessageEditOptions): Promise<void> {
    const c = decode(conversation);
    const ref = decodeMessageRef(messageRef);
    if (!ref)
      throw new SurfaceError('platform_error', `not a Discord message reference: ${messageRef}`, false);
    const channel = await this.channelById(ref.channelId, c);
    try {
      await channel.messages.edit(ref.messageId, { ...payload, allowedMentions: NO_MENTIONS });
    } catch (error) {
      throw toSurfaceError(error, ref.channelId);
    }
  }

  private channel(c: DiscordConversation): Promise<SendableChannels> {
    return this.channelById(postingChannel(c), c);
  }

  private channelById(channelId: string, c: DiscordConversation): Promise<SendableChannels> {
    return sendableChannel(this.deps.client, channelId, c);
  }
}
