/**
 * Inbound payloads of the App Home and the bot's DM, shaped as Slack sends them (send them with
 * `fake.socket.sendEvent` / `sendInteractive`, or `fake.http.sendEvent` / `sendInteractive` in HTTP mode):
 * - `app_home_opened` (https://docs.slack.dev/reference/events/app_home_opened): the user, the DM
 *   channel of the app's Home and the tab, plus the Home view published for them, if any;
 * - `message` with `channel_type: im` (subscription `message.im`): a person's message in the bot's DM
 *   (stored in the DM, with `subtype: file_share` when it carries files), the bot's own message there
 *   (as Slack echoes it: `bot_id`, the bot user, no subtype) and an edit (`message_changed`);
 * - `block_actions` from a button on a published Home (container `view`, no channel, no response_url).
 */
import { homeStoreOf } from './home-methods.js';
import type { ChannelRecord } from './options.js';
import { eventEnvelope } from './payload-builders.js';
import type { WorkspaceState } from './workspace-state.js';

export interface AppHomeOpenedInput {
  userId?: string;
  tab?: 'home' | 'messages' | 'about';
  eventId?: string;
}

export interface DirectMessageInput {
  userId?: string;
  text: string;
  /** File objects, e.g. from `fake.workspace.seedFile(...)`. */
  files?: Record<string, unknown>[];
  /** A reply in a thread of the DM. */
  threadTs?: string;
  eventId?: string;
}

export interface HomeButtonInput {
  userId?: string;
  actionId: string;
  /** Defaults to the value of that button in the user's published Home. */
  value?: string;
}

export class HomePayloads {
  constructor(private readonly state: WorkspaceState) {}

  private get defaultUser(): string {
    return this.state.options.users.find((u) => !u.isBot)?.id ?? 'U0ALICE0001';
  }

  /** The bot's DM with `userId` (opened if needed, as Slack has one for every member). */
  dmChannel(userId: string = this.defaultUser): ChannelRecord {
    return this.state.conversations.requireWritable(userId);
  }

  private envelope<E extends Record<string, unknown>>(eventId: string | undefined, event: E) {
    return { ...eventEnvelope(this.state, eventId), event };
  }

  appHomeOpened(input: AppHomeOpenedInput = {}) {
    const userId = input.userId ?? this.defaultUser;
    const view = homeStoreOf(this.state).get(userId);
    return this.envelope(input.eventId, {
      type: 'app_home_opened',
      user: userId,
      channel: this.dmChannel(userId).id,
      tab: input.tab ?? 'home',
      event_ts: this.state.ids.nextTs(),
      ...(view === undefined ? {} : { view }),
    });
  }

  /** A person's message in the bot's DM; it is stored there too (the bot's replies thread under it). */
  directMessage(input: DirectMessageInput) {
    const userId = input.userId ?? this.defaultUser;
    const channel = this.dmChannel(userId).id;
    const stored = this.state.conversations.seed({
      channel,
      user: userId,
      text: input.text,
      ...(input.threadTs === undefined ? {} : { thread_ts: input.threadTs }),
      ...(input.files === undefined ? {} : { files: input.files }),
    });
    return this.envelope(input.eventId, {
      type: 'message',
      channel,
      user: userId,
      text: input.text,
      ts: stored.ts,
      event_ts: stored.ts,
      team: this.state.options.teamId,
      client_msg_id: crypto.randomUUID(),
      channel_type: 'im',
      ...(input.threadTs === undefined ? {} : { thread_ts: input.threadTs, parent_user_id: userId }),
      ...(input.files === undefined
        ? {}
        : { subtype: 'file_share', files: input.files, upload: false, display_as_bot: false }),
    });
  }

  /** What Slack sends when the bot itself posts in the DM (a bot token's message: bot_id, no subtype). */
  botDirectMessage(input: { userId?: string; text: string; eventId?: string }) {
    const { options } = this.state;
    const channel = this.dmChannel(input.userId ?? this.defaultUser).id;
    const stored = this.state.conversations.insertFromBot({ channel, text: input.text });
    return this.envelope(input.eventId, {
      type: 'message',
      channel,
      user: options.botUserId,
      bot_id: options.botId,
      app_id: options.appId,
      text: input.text,
      ts: stored.ts,
      event_ts: stored.ts,
      team: options.teamId,
      channel_type: 'im',
      bot_profile: {
        id: options.botId,
        app_id: options.appId,
        name: options.botName,
        team_id: options.teamId,
      },
    });
  }

  /** An edit of a person's DM message (`message_changed`: the new and previous message, no top-level user). */
  messageChanged(input: { userId?: string; ts: string; text: string; eventId?: string }) {
    const userId = input.userId ?? this.defaultUser;
    const channel = this.dmChannel(userId).id;
    const stored = this.state.conversations.find(channel, input.ts);
    const previous = { type: 'message', user: userId, text: stored?.text ?? '', ts: input.ts };
    const editTs = this.state.ids.nextTs();
    if (stored !== undefined) {
      stored.text = input.text;
      stored.edited = { user: userId, ts: editTs };
    }
    return this.envelope(input.eventId, {
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel,
      channel_type: 'im',
      ts: editTs,
      event_ts: editTs,
      message: { ...previous, text: input.text, edited: { user: userId, ts: editTs } },
      previous_message: previous,
    });
  }

  /** A click on a button of the user's published Home. */
  homeButton(input: HomeButtonInput) {
    const userId = input.userId ?? this.defaultUser;
    const { options, ids } = this.state;
    const view = homeStoreOf(this.state).get(userId);
    if (view === undefined) throw new Error(`No Home was published for ${userId}`);
    const found = findButton(view.blocks, input.actionId);
    if (found === undefined) throw new Error(`The Home of ${userId} has no button ${input.actionId}`);
    const name = this.state.conversations.user(userId)?.name ?? userId.toLowerCase();
    return {
      type: 'block_actions',
      user: { id: userId, username: name, name, team_id: options.teamId },
      api_app_id: options.appId,
      token: 'fake-verification-token',
      container: { type: 'view', view_id: view.id },
      trigger_id: this.state.views.issueTrigger(),
      team: { id: options.teamId, domain: options.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      view,
      state: { values: {} },
      actions: [
        {
          type: 'button',
          action_id: input.actionId,
          block_id: found.blockId,
          ...((input.value ?? found.value) === undefined ? {} : { value: input.value ?? found.value }),
          text: found.text,
          action_ts: ids.nextTs(),
        },
      ],
    };
  }
}

function findButton(
  blocks: Record<string, unknown>[],
  actionId: string,
): { blockId: string; value: string | undefined; text: unknown } | undefined {
  for (const block of blocks) {
    if (block.type !== 'actions' || !Array.isArray(block.elements)) continue;
    for (const element of block.elements as Record<string, unknown>[]) {
      if (element.action_id !== actionId) continue;
      return {
        blockId: typeof block.block_id === 'string' ? block.block_id : 'actions',
        value: typeof element.value === 'string' ? element.value : undefined,
        text: element.text,
      };
    }
  }
  return undefined;
}
