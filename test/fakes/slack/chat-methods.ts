import type { StoredMessage } from './conversation-store.js';
import { optionalJson, optionalString, requiredString } from './method-args.js';
import { requireScope } from './scope-check.js';
import { SlackApiFailure } from './slack-api-failure.js';
import type { MethodHandler, WorkspaceState } from './workspace-state.js';

/** text, blocks and attachments as Slack stores them; at least one is required (`no_text`). */
function content(args: Record<string, unknown>): Pick<StoredMessage, 'text' | 'blocks' | 'attachments'> {
  const text = optionalString(args, 'text');
  const blocks = optionalJson(args, 'blocks');
  const attachments = optionalJson(args, 'attachments');
  if (blocks !== undefined && !Array.isArray(blocks)) throw new SlackApiFailure('invalid_blocks_format');
  if (attachments !== undefined && !Array.isArray(attachments))
    throw new SlackApiFailure('invalid_attachments');
  if (text === undefined && blocks === undefined && attachments === undefined)
    throw new SlackApiFailure('no_text');
  return {
    text: text ?? '',
    ...(blocks === undefined ? {} : { blocks: blocks as unknown[] }),
    ...(attachments === undefined ? {} : { attachments: attachments as unknown[] }),
  };
}

function botProfile(state: WorkspaceState) {
  const { options } = state;
  return {
    id: options.botId,
    app_id: options.appId,
    name: options.botName,
    deleted: false,
    team_id: options.teamId,
  };
}

/** The bot's own message, or the error Slack gives when it is missing or someone else's. */
function ownMessage(state: WorkspaceState, channel: string, ts: string, refusal: string): StoredMessage {
  const message = state.conversations.find(channel, ts);
  if (message === undefined) throw new SlackApiFailure('message_not_found');
  if (message.user !== state.options.botUserId) throw new SlackApiFailure(refusal);
  return message;
}

/**
 * chat:write.public lets chat.postMessage reach a public channel the bot has not joined
 * (https://api.slack.com/scopes/chat:write.public). The fake grants it to postMessage only; every other
 * write (updates, ephemerals, file shares) still answers not_in_channel there, the conservative reading.
 */
const postMessage: MethodHandler = ({ args }, state) => {
  requireScope(state, 'chat:write');
  const channel = state.conversations.requireWritable(requiredString(args, 'channel'), {
    publicWithoutMembership: state.scopes.includes('chat:write.public'),
  });
  const threadTs = optionalString(args, 'thread_ts');
  const metadata = optionalJson(args, 'metadata');
  const stored = state.conversations.insertFromBot({
    channel: channel.id,
    ...content(args),
    ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    ...(metadata === undefined ? {} : { metadata }),
  });
  const { channel: _channel, ...message } = stored;
  return {
    ok: true,
    channel: channel.id,
    ts: stored.ts,
    message: { ...message, bot_profile: botProfile(state) },
  };
};

const update: MethodHandler = ({ args }, state) => {
  requireScope(state, 'chat:write');
  const channel = state.conversations.requireWritable(requiredString(args, 'channel'));
  const message = ownMessage(state, channel.id, requiredString(args, 'ts'), 'cant_update_message');
  const next = content(args);
  message.text = next.text;
  if (next.blocks !== undefined) message.blocks = next.blocks;
  if (next.attachments !== undefined) message.attachments = next.attachments;
  message.edited = { user: state.options.botUserId, ts: state.ids.nextTs() };
  const { channel: _channel, ...rest } = message;
  return { ok: true, channel: channel.id, ts: message.ts, text: message.text, message: rest };
};

const postEphemeral: MethodHandler = ({ args }, state) => {
  requireScope(state, 'chat:write');
  const channel = state.conversations.requireWritable(requiredString(args, 'channel'));
  const user = requiredString(args, 'user');
  if (state.conversations.user(user) === undefined) throw new SlackApiFailure('user_not_found');
  const body = content(args);
  const threadTs = optionalString(args, 'thread_ts');
  const messageTs = state.ids.nextTs();
  state.conversations.recordEphemeral({
    message_ts: messageTs,
    channel: channel.id,
    user,
    text: body.text,
    ...(body.blocks === undefined ? {} : { blocks: body.blocks }),
    ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
  });
  return { ok: true, message_ts: messageTs };
};

const remove: MethodHandler = ({ args }, state) => {
  requireScope(state, 'chat:write');
  const channel = state.conversations.requireWritable(requiredString(args, 'channel'));
  const ts = requiredString(args, 'ts');
  ownMessage(state, channel.id, ts, 'cant_delete_message');
  state.conversations.remove(channel.id, ts);
  return { ok: true, channel: channel.id, ts };
};

export const chatMethods: Record<string, MethodHandler> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.delete': remove,
};
