import type { FakeContext } from './context.js';
import { DiscordErrors } from './http-io.js';
import { createMessage, editMessage } from './message-writes.js';
import { emojiKey, MessageFlag, parseEmojiSegment, type StoredMessage } from './messages.js';
import { Permission } from './permissions.js';
import type { RouteDefinition } from './router.js';
import { type ChannelRecord, ChannelType } from './world.js';

/** Channel, message, thread and reaction routes the bot calls with its bot token. */
export function channelRoutes(ctx: FakeContext): RouteDefinition[] {
  const channelOf = (id: string | undefined): ChannelRecord => {
    const channel = id ? ctx.world.channels.get(id) : undefined;
    if (!channel) throw DiscordErrors.unknownChannel();
    return channel;
  };
  const requirePermissions = (channel: ChannelRecord, needed: bigint): void => {
    const has = ctx.world.permissionsIn(channel.id, ctx.world.bot.id);
    if ((has & Permission.ViewChannel) === 0n) throw DiscordErrors.unknownChannel();
    if ((has & needed) !== needed) throw DiscordErrors.missingPermissions();
  };
  const messageOf = (channel: ChannelRecord, id: string | undefined): StoredMessage => {
    const message = id ? ctx.messages.get(id) : undefined;
    // Ephemeral messages exist only for their interaction's webhook, never on channel routes.
    if (!message || message.channelId !== channel.id || message.flags & MessageFlag.Ephemeral) {
      throw DiscordErrors.unknownMessage();
    }
    return message;
  };
  const sendPermission = (channel: ChannelRecord): bigint =>
    channel.type === ChannelType.PublicThread ? Permission.SendMessagesInThreads : Permission.SendMessages;

  return [
    {
      method: 'GET',
      template: '/channels/:channelId',
      auth: 'bot',
      handle: ({ params }) => {
        const channel = channelOf(params['channelId']);
        requirePermissions(channel, 0n);
        return { status: 200, body: ctx.world.channelPayload(channel) };
      },
    },
    {
      method: 'POST',
      template: '/channels/:channelId/messages',
      auth: 'bot',
      handle: ({ params, body, call }) => {
        const channel = channelOf(params['channelId']);
        requirePermissions(
          channel,
          sendPermission(channel) | (body.files.length ? Permission.AttachFiles : 0n),
        );
        if (channel.type === ChannelType.DM && ctx.world.users.get(channel.recipientId ?? '')?.dmsClosed)
          throw DiscordErrors.cannotMessageUser();
        // enforce_nonce: a repeat by the same author within minutes gets the first message back.
        const json = (body.json ?? {}) as { nonce?: unknown; enforce_nonce?: unknown };
        const nonce =
          typeof json.nonce === 'string' || typeof json.nonce === 'number' ? String(json.nonce) : undefined;
        if (nonce && json.enforce_nonce === true) {
          const earlier = ctx.messages.byNonce(ctx.world.bot.id, nonce, ctx.now());
          if (earlier) return { status: 200, body: { ...ctx.messages.payload(earlier), nonce } };
        }
        const message = createMessage(ctx, channel, {
          body: body.json,
          files: body.files,
          kind: 'channel-create',
          callIndex: call.index,
          authorId: ctx.world.bot.id,
        });
        if (nonce) message.nonce = nonce;
        message.createdAtMs = ctx.now();
        const payload = { ...ctx.messages.payload(message), ...(nonce ? { nonce } : {}) };
        ctx.gateway.dispatch('MESSAGE_CREATE', payload);
        return { status: 200, body: payload };
      },
    },
    {
      method: 'GET',
      template: '/channels/:channelId/messages',
      auth: 'bot',
      handle: ({ params, query }) => {
        const channel = channelOf(params['channelId']);
        requirePermissions(channel, Permission.ReadMessageHistory);
        const limit = Math.min(Number(query.get('limit') ?? 50), 100);
        const page = ctx.messages.page(channel.id, {
          limit,
          before: query.get('before'),
          after: query.get('after'),
        });
        return { status: 200, body: page.map((m) => ctx.messages.payload(m)) };
      },
    },
    {
      method: 'GET',
      template: '/channels/:channelId/messages/:messageId',
      auth: 'bot',
      handle: ({ params }) => {
        const channel = channelOf(params['channelId']);
        requirePermissions(channel, Permission.ReadMessageHistory);
        return { status: 200, body: ctx.messages.payload(messageOf(channel, params['messageId'])) };
      },
    },
    {
      method: 'PATCH',
      template: '/channels/:channelId/messages/:messageId',
      auth: 'bot',
      handle: ({ params, body, call }) => {
        const channel = channelOf(params['channelId']);
        requirePermissions(channel, body.files.length ? Permission.AttachFiles : 0n);
        const message = messageOf(channel, params['messageId']);
        if (message.authorId !== ctx.world.bot.id) throw DiscordErrors.editOthersMessage();
        editMessage(ctx, message, {
          body: body.json,
          files: body.files,
          kind: 'channel-edit',
          callIndex: call.index,
        });
        return { status: 200, body: ctx.messages.payload(message) };
      },
    },
    {
      method: 'DELETE',
      template: '/channels/:channelId/messages/:messageId',
      auth: 'bot',
      handle: ({ params }) => {
        const channel = channelOf(params['channelId']);
        const message = messageOf(channel, params['messageId']);
        if (message.authorId !== ctx.world.bot.id)
          requirePermissions(channel, 1n << 13n /* ManageMessages */);
        message.deleted = true;
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      template: '/channels/:channelId/messages/:messageId/threads',
      auth: 'bot',
      handle: ({ params, body }) => {
        const parent = channelOf(params['channelId']);
        requirePermissions(parent, Permission.CreatePublicThreads);
        const message = messageOf(parent, params['messageId']);
        // A thread started from a message takes the message's id.
        if (ctx.world.channels.has(message.id)) throw DiscordErrors.threadAlreadyExists();
        const json = (body.json ?? {}) as { name?: unknown };
        if (typeof json.name !== 'string' || json.name.length < 1 || json.name.length > 100) {
          throw DiscordErrors.invalidFormBody({ name: { _errors: [{ code: 'BASE_TYPE_REQUIRED' }] } });
        }
        const thread = ctx.world.addThread({
          id: message.id,
          parent,
          name: json.name,
          ownerId: ctx.world.bot.id,
          nowIso: ctx.nowIso(),
        });
        const payload = ctx.world.channelPayload(thread);
        ctx.gateway.dispatch('THREAD_CREATE', { ...payload, newly_created: true });
        return { status: 201, body: payload };
      },
    },
    {
      method: 'PUT',
      template: '/channels/:channelId/messages/:messageId/reactions/:emoji/@me',
      auth: 'bot',
      handle: ({ params }) => {
        const channel = channelOf(params['channelId']);
        requirePermissions(channel, Permission.AddReactions | Permission.ReadMessageHistory);
        const message = messageOf(channel, params['messageId']);
        const emoji = parseEmojiSegment(params['emoji'] ?? '');
        const key = emojiKey(emoji);
        const reaction = message.reactions.get(key) ?? { emoji, userIds: new Set<string>() };
        reaction.userIds.add(ctx.world.bot.id);
        message.reactions.set(key, reaction);
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      template: '/channels/:channelId/messages/:messageId/reactions/:emoji/@me',
      auth: 'bot',
      handle: ({ params }) => {
        const channel = channelOf(params['channelId']);
        const message = messageOf(channel, params['messageId']);
        message.reactions
          .get(emojiKey(parseEmojiSegment(params['emoji'] ?? '')))
          ?.userIds.delete(ctx.world.bot.id);
        return { status: 204 };
      },
    },
  ];
}
