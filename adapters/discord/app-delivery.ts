/**
 * The surface's half for jobs asked where the bot is not a member (app-conversation.ts): a
 * user-installed `/sora` in a DM, a group DM or a server without the bot. The bot token cannot post
 * there, so everything goes through the command's interaction webhook while Discord accepts its
 * token (15 minutes): progress edits the original response, the video is a follow-up message. After
 * that, the video goes to the requester's DM (bot token) with a note saying why; a status edit is
 * skipped (nothing can change that message any more). If the DM is refused too, the video stays on
 * disk and `/sora status ID` (asked anywhere, a fresh interaction) hands it over (status-video.ts).
 *
 * Message references keep the surface's `CHANNEL:MESSAGE` form: one in the interaction's channel is a
 * webhook message, one elsewhere is in the requester's DM; `kept:JOB` is a video nobody could be sent.
 */
import {
  type Client,
  type DMChannel,
  type InteractionReplyOptions,
  InteractionWebhook,
  type Message,
  type MessageCreateOptions,
  type MessageEditOptions,
} from 'discord.js';
import type { Logger } from '../../src/core/logger.js';
import {
  type DeliveredVideo,
  type DeliveryProgress,
  SurfaceError,
  type VideoDelivery,
} from '../../src/core/surface.js';
import type { AppConversation } from './app-conversation.js';
import { decodeMessageRef, encodeMessageRef } from './conversation.js';
import { customIdsOf, encodeComponentId } from './custom-ids.js';
import { isCannotDm, isTokenRefused, isTooLarge, loggableError, toSurfaceError } from './discord-errors.js';
import type { DeliveryTarget, DiscordDeliveryFacts } from './discord-surface.js';
import type { InteractionToken, InteractionTokens } from './interaction-tokens.js';
import { type DiscordMessagePayload, NO_MENTIONS } from './render-message.js';

/** Why a video (or a failure) came as a DM: the caption says it so nobody wonders. */
export const DM_NOTE =
  'Sent to you directly: you asked with `/sora` where I am not a member, and Discord lets me answer there only within 15 minutes of the command.';

/** The delivery of a video nobody could be sent (DMs closed): kept on disk for `/sora status`. */
export function keptRef(jobId: string): string {
  return `kept:${jobId}`;
}

/** What findDelivery reads in the DM after the checkpoint (Discord's page maximum). */
const FIND_PAGE = 100;

export interface AppDeliveryDeps {
  client: Client;
  /** Null: no token is ever kept (every answer goes to the DM). */
  tokens: InteractionTokens | null;
  logger: Logger;
}

type Payload = DiscordMessagePayload | (MessageEditOptions & { content?: string });

export class AppDelivery {
  constructor(private readonly deps: AppDeliveryDeps) {}

  /** A new message: a follow-up while the token is valid, else a DM to the requester. */
  async post(app: AppConversation, payload: DiscordMessagePayload): Promise<string> {
    const sent = await this.throughWebhook(app, (hook) => hook.send(asFollowUp(createOptions(payload))));
    if (sent !== EXPIRED) return refOf(sent);
    const dm = await this.dm(app);
    return refOf(await this.sendDm(dm, app, createOptions(withNote(payload))));
  }

  /**
   * Edits a message of the job: through the webhook while its token is valid (after that a webhook
   * message can no longer change: skipped, logged), or in the DM with the bot token.
   */
  async edit(app: AppConversation, messageRef: string, payload: Payload): Promise<void> {
    const ref = decodeMessageRef(messageRef);
    if (!ref) return; // `kept:`: nothing was posted.
    const options = { ...payload, allowedMentions: NO_MENTIONS } as MessageEditOptions;
    if (ref.channelId === app.channelId) {
      const edited = await this.throughWebhook(app, (hook) => hook.editMessage(ref.messageId, options));
      if (edited === EXPIRED)
        this.deps.logger.debug?.(
          { interaction: app.interactionId },
          'interaction token expired; the message stays as it was',
        );
      if (edited !== EXPIRED || !this.isDmChannel(app)) return;
    }
    const dm = await this.dm(app);
    try {
      await dm.messages.edit(ref.messageId, options);
    } catch (error) {
      throw toSurfaceError(error, dm.id);
    }
  }

  async deliverVideo(
    app: AppConversation,
    delivery: VideoDelivery,
    progress: DeliveryProgress,
    deliverTo: (target: DeliveryTarget) => Promise<DeliveredVideo>,
  ): Promise<DeliveredVideo> {
    const token = await this.validToken(app);
    if (token) {
      const hook = this.webhook(token);
      try {
        return await deliverTo({
          limitKey: app.scope,
          channelId: app.channelId,
          via: 'interaction',
          notes: [],
          send: async (payload) => {
            try {
              return await hook.send(asFollowUp(payload));
            } catch (error) {
              if (isTooLarge(error) || isTokenRefused(error)) throw error;
              throw toSurfaceError(error, app.channelId);
            }
          },
        });
      } catch (error) {
        // Expired while the video was on its way (or the interaction is gone): the DM takes over.
        if (!isTokenRefused(error)) throw error;
        await this.deps.tokens?.forget(app.interactionId);
      }
    }
    let dm: DMChannel;
    try {
      dm = await this.dm(app);
      return await deliverTo({
        limitKey: app.scope,
        channelId: dm.id,
        via: 'dm',
        notes: [DM_NOTE],
        send: (payload) =>
          this.sendDm(dm, app, {
            ...payload,
            nonce: `sora-${delivery.jobId}`.slice(0, 25),
            enforceNonce: true,
          }),
      });
    } catch (error) {
      if (!(error instanceof SurfaceError && error.code === 'not_in_channel')) throw error;
      // Nobody can be sent it: the video stays on disk, and `/sora status ID` hands it over.
      this.deps.logger.warn(
        { jobId: delivery.jobId, err: loggableError(error) },
        'could not DM the video; it is kept for /sora status',
      );
      await progress.checkpoint({ via: 'kept' });
      return { messageRef: keptRef(delivery.jobId), otherRefs: [] };
    }
  }

  /**
   * After a crash: a message id recorded after Discord answered is the delivery (a webhook message
   * cannot be read back once the token expired); in the DM, the bot's message with the job's buttons
   * among those since the checkpoint. A webhook send without its answer recorded cannot be looked
   * for: it is sent again (at most one duplicate, only for a crash in that instant).
   */
  async findDelivery(
    app: AppConversation,
    jobId: string,
    facts: DiscordDeliveryFacts,
  ): Promise<DeliveredVideo | undefined> {
    if (facts.via === 'kept') return { messageRef: keptRef(jobId), otherRefs: [] };
    if (facts.channelId && facts.messageId)
      return {
        messageRef: encodeMessageRef({ channelId: facts.channelId, messageId: facts.messageId }),
        otherRefs: [],
      };
    if (facts.via !== 'dm' || !facts.after) return undefined;
    try {
      const dm = await this.dm(app);
      const wanted = [
        encodeComponentId({ kind: 'remix', jobId }),
        encodeComponentId({ kind: 'delete', jobId }),
      ];
      const recent = await dm.messages.fetch({ after: facts.after, limit: FIND_PAGE, cache: false });
      const found = [...recent.values()].find(
        (m) => m.author.id === this.deps.client.user?.id && wanted.every((id) => customIdsOf(m).includes(id)),
      );
      return found ? { messageRef: refOf(found), otherRefs: [] } : undefined;
    } catch (error) {
      this.deps.logger.warn({ jobId, err: loggableError(error) }, 'could not look for an earlier delivery');
      return undefined;
    }
  }

  /** The call through the interaction's webhook, or EXPIRED when Discord no longer takes its token. */
  private async throughWebhook<T>(
    app: AppConversation,
    call: (hook: InteractionWebhook) => Promise<T>,
  ): Promise<T | typeof EXPIRED> {
    const token = await this.validToken(app);
    if (!token) return EXPIRED;
    try {
      return await call(this.webhook(token));
    } catch (error) {
      if (!isTokenRefused(error)) throw toSurfaceError(error, app.channelId);
      await this.deps.tokens?.forget(app.interactionId);
      return EXPIRED;
    }
  }

  private async validToken(app: AppConversation): Promise<InteractionToken | undefined> {
    return this.deps.tokens?.valid(app.interactionId);
  }

  private webhook(token: InteractionToken): InteractionWebhook {
    // Only REST is used (auth: false, the token in the path), which a client not yet logged in has too.
    return new InteractionWebhook(this.deps.client as Client<true>, token.applicationId, token.token);
  }

  /** The bot's DM with the requester (opened once; Discord returns the same channel every time). */
  private async dm(app: AppConversation): Promise<DMChannel> {
    try {
      return await this.deps.client.users.createDM(app.userId);
    } catch (error) {
      throw toSurfaceError(error, app.channelId);
    }
  }

  private async sendDm(dm: DMChannel, app: AppConversation, options: MessageCreateOptions): Promise<Message> {
    try {
      return await dm.send({ ...options, allowedMentions: NO_MENTIONS });
    } catch (error) {
      if (isTooLarge(error)) throw error;
      if (isCannotDm(error))
        throw new SurfaceError(
          'not_in_channel',
          `I can't send you direct messages; \`/sora status\` with the video id shows it.`,
          false,
          { cause: new Error(`DM to ${app.userId} refused`) },
        );
      throw toSurfaceError(error, dm.id);
    }
  }

  /** The bot's own DM (context 1): there the DM fallback edits in the same channel. */
  private isDmChannel(app: AppConversation): boolean {
    return this.deps.client.channels.cache.get(app.channelId)?.isDMBased() ?? false;
  }
}

const EXPIRED = Symbol('interaction token expired');

function refOf(message: Message): string {
  return encodeMessageRef({ channelId: message.channelId, messageId: message.id });
}

/** Webhook and DM sends take the rendered payload as it is; nobody is pinged in a DM or follow-up. */
function createOptions(payload: DiscordMessagePayload): MessageCreateOptions {
  return { ...payload, allowedMentions: NO_MENTIONS } as MessageCreateOptions;
}

/** A follow-up takes the same fields as a channel message (it is never ephemeral here). */
function asFollowUp(options: MessageCreateOptions): InteractionReplyOptions {
  return options as InteractionReplyOptions;
}

function withNote(payload: DiscordMessagePayload): DiscordMessagePayload {
  const room = 2000 - DM_NOTE.length - 1;
  const content = payload.content.length > room ? `${payload.content.slice(0, room - 1)}…` : payload.content;
  return { ...payload, content: content ? `${content}\n${DM_NOTE}` : DM_NOTE };
}
