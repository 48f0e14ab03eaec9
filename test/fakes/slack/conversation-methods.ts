import type { StoredMessage } from './conversation-store.js';
import { optionalBoolean, optionalInteger, optionalString, requiredString } from './method-args.js';
import { requireConversationScope, requireScope } from './scope-check.js';
import { SlackApiFailure } from './slack-api-failure.js';
import { compareTs } from './slack-ids.js';
import type { MethodHandler } from './workspace-state.js';

/** Messages without the fake's bookkeeping field `channel` (Slack omits it in history results). */
function withoutChannel(messages: StoredMessage[]): Record<string, unknown>[] {
  return messages.map(({ channel: _channel, ...message }) => message);
}

/**
 * `oldest`/`latest` bound the window (exclusive unless `inclusive`), `limit` caps it; a bot reads the message
 * a reaction points at with `{ latest: ts, inclusive: true, limit: 1 }`.
 */
function window(messages: StoredMessage[], args: Record<string, unknown>): StoredMessage[] {
  const oldest = optionalString(args, 'oldest');
  const latest = optionalString(args, 'latest');
  const inclusive = optionalBoolean(args, 'inclusive') === true;
  return messages.filter((m) => {
    if (oldest !== undefined) {
      const order = compareTs(m.ts, oldest);
      if (order < 0 || (order === 0 && !inclusive)) return false;
    }
    if (latest !== undefined) {
      const order = compareTs(m.ts, latest);
      if (order > 0 || (order === 0 && !inclusive)) return false;
    }
    return true;
  });
}

function page(messages: StoredMessage[], args: Record<string, unknown>) {
  const limit = Math.min(Math.max(optionalInteger(args, 'limit') ?? 100, 1), 1000);
  const kept = messages.slice(0, limit);
  return { messages: withoutChannel(kept), has_more: messages.length > kept.length };
}

const history: MethodHandler = ({ args }, state) => {
  const channel = state.conversations.requireReadable(requiredString(args, 'channel'));
  requireConversationScope(state, channel, 'history');
  const result = page(window(state.conversations.history(channel.id), args), args);
  return {
    ok: true,
    ...result,
    pin_count: 0,
    channel_actions_ts: null,
    channel_actions_count: 0,
    response_metadata: { next_cursor: '' },
  };
};

/**
 * Parent then replies, oldest first. `ts` may be the parent's or any reply's (Slack's docs: "either a
 * thread's parent message or a message in the thread"); an unthreaded message comes back alone. Whether
 * Slack answers a reply's ts with the whole thread is the documented reading, not verified live: an adapter
 * should look the reacted message up by ts in `messages`, not take messages[0].
 */
const replies: MethodHandler = ({ args }, state) => {
  const channel = state.conversations.requireReadable(requiredString(args, 'channel'));
  requireConversationScope(state, channel, 'history');
  const ts = requiredString(args, 'ts');
  const target = state.conversations.find(channel.id, ts);
  if (target === undefined) throw new SlackApiFailure('thread_not_found');
  const thread = state.conversations.thread(channel.id, target.thread_ts ?? target.ts);
  const parent = thread[0];
  const rest = window(thread.slice(1), args);
  const result = page(parent === undefined ? rest : [parent, ...rest], args);
  return { ok: true, ...result, response_metadata: { next_cursor: '' } };
};

const info: MethodHandler = ({ args }, state) => {
  const channel = state.conversations.requireVisible(requiredString(args, 'channel'));
  requireConversationScope(state, channel, 'read');
  return { ok: true, channel: state.conversations.channelObject(channel, 1_600_000_000) };
};

/** reactions.get takes `timestamp`, not `ts` (a classic slip). */
const reactionsGet: MethodHandler = ({ args }, state) => {
  requireScope(state, 'reactions:read');
  const channel = state.conversations.requireReadable(requiredString(args, 'channel'));
  const message = state.conversations.find(channel.id, requiredString(args, 'timestamp'));
  if (message === undefined) throw new SlackApiFailure('message_not_found');
  const { channel: _channel, ...rest } = message;
  return {
    ok: true,
    type: 'message',
    channel: channel.id,
    message: { ...rest, reactions: message.reactions ?? [] },
  };
};

/** conversations.join: public channels only (channels:join); private ones need an invite. */
const join: MethodHandler = ({ args }, state) => {
  requireScope(state, 'channels:join');
  const channel = state.conversations.channel(requiredString(args, 'channel'));
  if (channel === undefined) throw new SlackApiFailure('channel_not_found');
  if (channel.kind !== 'public') {
    if (!channel.botIsMember) throw new SlackApiFailure('channel_not_found');
    throw new SlackApiFailure('method_not_supported_for_channel_type');
  }
  const alreadyIn = channel.botIsMember;
  state.conversations.setBotMembership(channel.id, true);
  return {
    ok: true,
    channel: state.conversations.channelObject(channel, 1_600_000_000),
    ...(alreadyIn
      ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } }
      : {}),
  };
};

/**
 * conversations.open with `users` (one user: the bot's DM with them, created on first use). Needs
 * im:write (mpim:write for several users, which the fake does not model).
 */
const open: MethodHandler = ({ args }, state) => {
  requireScope(state, 'im:write');
  const users = requiredString(args, 'users').split(',').filter(Boolean);
  if (users.length !== 1) throw new SlackApiFailure('invalid_arguments');
  const user = state.conversations.user(users[0]!);
  if (user === undefined || user.deleted) throw new SlackApiFailure('user_not_found');
  const dm = state.conversations.requireWritable(user.id);
  return { ok: true, channel: { id: dm.id } };
};

export const conversationMethods: Record<string, MethodHandler> = {
  'conversations.open': open,
  'conversations.join': join,
  'conversations.history': history,
  'conversations.replies': replies,
  'conversations.info': info,
  'reactions.get': reactionsGet,
};
