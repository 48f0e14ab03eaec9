import type { ResponseUrlStore } from './response-url-store.js';
import type { WorkspaceState } from './workspace-state.js';

export interface SlashCommandInput {
  command?: string;
  text?: string;
  userId?: string;
  channelId?: string;
}

export interface ReactionAddedInput {
  channel: string;
  ts: string;
  reaction: string;
  userId?: string;
  /** Defaults to the author of the stored message, when there is one. */
  itemUser?: string;
  eventId?: string;
}

export interface AppMentionInput {
  channel: string;
  /** Text after the mention; the builder prefixes `<@BOT>`. */
  text: string;
  userId?: string;
  /** File objects, e.g. from `fake.workspace.seedFile(...)`. */
  files?: Record<string, unknown>[];
  threadTs?: string;
  eventId?: string;
}

export interface MessageActionInput {
  channel: string;
  messageTs: string;
  callbackId: string;
  userId?: string;
}

export interface BlockActionInput {
  action_id: string;
  value?: string;
  block_id?: string;
  type?: string;
}

export interface BlockActionsInput {
  channel: string;
  actions: BlockActionInput[];
  /** The message carrying the buttons; for an ephemeral message give `ephemeral: true` and its message_ts. */
  messageTs: string;
  ephemeral?: boolean;
  threadTs?: string;
  userId?: string;
}

/** A choice made inside an open modal (an element of an input block with `dispatch_action: true`). */
export interface ViewBlockActionInput {
  /** A view opened through the fake. */
  viewId: string;
  block_id: string;
  action_id: string;
  /** For a static_select (the default type): the option picked. */
  selectedValue: string;
  type?: 'static_select' | 'radio_buttons';
  /** `view.state.values` as the client has it, including the change itself. */
  values: Record<string, Record<string, unknown>>;
  userId?: string;
}

export interface ViewSubmissionInput {
  /** A view opened through the fake (its callback_id, blocks and private_metadata are reused). */
  viewId?: string;
  callbackId?: string;
  privateMetadata?: string;
  /** `view.state.values`: block_id -> action_id -> value object. */
  values: Record<string, Record<string, unknown>>;
  userId?: string;
}

/**
 * Realistic inbound payloads (shapes from Slack's docs and real captures, fields a bot reads first). Builders
 * register what Slack would register: fresh trigger_ids (usable for 3 s), response_urls, and the
 * message an app_mention or a reaction refers to.
 */
/** The Events API envelope around an event (Socket Mode and HTTP mode send the same), minus the event. */
export function eventEnvelope(state: WorkspaceState, eventId: string | undefined) {
  const { options, ids, now } = state;
  return {
    token: 'fake-verification-token',
    team_id: options.teamId,
    context_team_id: options.teamId,
    context_enterprise_id: null,
    api_app_id: options.appId,
    type: 'event_callback',
    event_id: eventId ?? ids.next('Ev'),
    event_time: Math.floor(now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: options.teamId,
        user_id: options.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${ids.next('ctx')}`,
  };
}

export class PayloadBuilders {
  constructor(
    private readonly state: WorkspaceState,
    private readonly responseUrls: ResponseUrlStore,
  ) {}

  private get defaultUser(): string {
    return this.state.options.users.find((u) => !u.isBot)?.id ?? 'U0ALICE0001';
  }

  private userName(userId: string): string {
    return this.state.conversations.user(userId)?.name ?? userId.toLowerCase();
  }

  private channelName(channelId: string): string {
    const channel = this.state.conversations.channel(channelId);
    if (channel === undefined) return channelId;
    return channel.kind === 'im' ? 'directmessage' : channel.name;
  }

  private team() {
    return { id: this.state.options.teamId, domain: this.state.options.teamDomain };
  }

  private userObject(userId: string) {
    const name = this.userName(userId);
    return { id: userId, username: name, name, team_id: this.state.options.teamId };
  }

  /**
   * What Slack sends for text a person typed into a command declared with `should_escape: true` (and in
   * every event): `&`, `<`, `>` as entities, `@handle` of a known user as `<@U…|handle>`, `#name` of a
   * known channel as `<#C…|name>`, `@here` / `@channel` / `@everyone` as `<!here>`…, and a URL as
   * `<https://…>`. https://api.slack.com/interactivity/slash-commands#creating_commands
   */
  escapeLikeSlack(typed: string): string {
    const { conversations } = this.state;
    return typed
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/(^|\s)(https?:\/\/\S+)/g, (_m, space: string, url: string) => `${space}<${url}>`)
      .replace(/(^|\s)@(here|channel|everyone)\b/g, (_m, space: string, word: string) => `${space}<!${word}>`)
      .replace(/(^|\s)@([a-z0-9._-]+)/gi, (match, space: string, name: string) => {
        const user = conversations.userByName(name);
        return user ? `${space}<@${user.id}|${name}>` : match;
      })
      .replace(/(^|\s)#([a-z0-9_-]+)/gi, (match, space: string, name: string) => {
        const channel = conversations.channelByName(name);
        return channel ? `${space}<#${channel.id}|${name}>` : match;
      });
  }

  /** Slash command fields, all strings (HTTP mode form-encodes them; Socket Mode sends them as JSON). */
  slashCommand(input: SlashCommandInput = {}): Record<string, string> {
    const { options } = this.state;
    const userId = input.userId ?? this.defaultUser;
    const channelId = input.channelId ?? options.channels[0]?.id ?? 'C0GENERAL01';
    return {
      token: 'fake-verification-token',
      team_id: options.teamId,
      team_domain: options.teamDomain,
      channel_id: channelId,
      channel_name: this.channelName(channelId),
      user_id: userId,
      user_name: this.userName(userId),
      command: input.command ?? '/sora',
      text: input.text ?? '',
      api_app_id: options.appId,
      is_enterprise_install: 'false',
      response_url: this.responseUrls.issue(this.state.rootUrl, options.teamId),
      trigger_id: this.state.views.issueTrigger(),
    };
  }

  /** reaction_added inside an event_callback; also adds the reaction to the stored message. */
  reactionAdded(input: ReactionAddedInput) {
    const userId = input.userId ?? this.defaultUser;
    const { conversations, ids } = this.state;
    const target = conversations.find(input.channel, input.ts);
    conversations.addReaction(input.channel, input.ts, input.reaction, userId);
    const itemUser = input.itemUser ?? target?.user;
    return {
      ...eventEnvelope(this.state, input.eventId),
      event: {
        type: 'reaction_added',
        user: userId,
        reaction: input.reaction,
        item: { type: 'message', channel: input.channel, ts: input.ts },
        ...(itemUser === undefined ? {} : { item_user: itemUser }),
        event_ts: ids.nextTs(),
      },
    };
  }

  /** app_mention (optionally with files); the mentioning message is stored in the channel too. */
  appMention(input: AppMentionInput) {
    const userId = input.userId ?? this.defaultUser;
    const text = `<@${this.state.options.botUserId}> ${input.text}`;
    const message = this.state.conversations.seed({
      channel: input.channel,
      user: userId,
      text,
      ...(input.threadTs === undefined ? {} : { thread_ts: input.threadTs }),
      ...(input.files === undefined ? {} : { files: input.files }),
    });
    return {
      ...eventEnvelope(this.state, input.eventId),
      event: {
        type: 'app_mention',
        user: userId,
        text,
        ts: message.ts,
        channel: input.channel,
        event_ts: message.ts,
        team: this.state.options.teamId,
        client_msg_id: crypto.randomUUID(),
        ...(input.threadTs === undefined ? {} : { thread_ts: input.threadTs }),
        ...(input.files === undefined ? {} : { files: input.files, upload: false, display_as_bot: false }),
      },
    };
  }

  /** A message shortcut ("Animate this image"): carries the stored message with its files. */
  messageAction(input: MessageActionInput) {
    const userId = input.userId ?? this.defaultUser;
    const stored = this.state.conversations.find(input.channel, input.messageTs);
    if (stored === undefined)
      throw new Error(`No stored message ${input.messageTs} in ${input.channel} to act on`);
    const { channel: _channel, ...message } = stored;
    return {
      type: 'message_action',
      token: 'fake-verification-token',
      action_ts: this.state.ids.nextTs(),
      team: this.team(),
      user: this.userObject(userId),
      channel: { id: input.channel, name: this.channelName(input.channel) },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: input.callbackId,
      trigger_id: this.state.views.issueTrigger(),
      response_url: this.responseUrls.issue(this.state.rootUrl, this.state.options.teamId),
      message_ts: input.messageTs,
      message,
    };
  }

  /** A button click (block_actions). Ephemeral containers carry no `message`, as on Slack. */
  blockActions(input: BlockActionsInput) {
    const userId = input.userId ?? this.defaultUser;
    const { options, ids, conversations } = this.state;
    const stored = input.ephemeral === true ? undefined : conversations.find(input.channel, input.messageTs);
    const actionTs = ids.nextTs();
    const message = stored === undefined ? undefined : (({ channel: _c, ...rest }) => rest)(stored);
    return {
      type: 'block_actions',
      user: this.userObject(userId),
      api_app_id: options.appId,
      token: 'fake-verification-token',
      container: {
        type: 'message',
        message_ts: input.messageTs,
        channel_id: input.channel,
        is_ephemeral: input.ephemeral === true,
        ...(input.threadTs === undefined ? {} : { thread_ts: input.threadTs }),
      },
      trigger_id: this.state.views.issueTrigger(),
      team: this.team(),
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: input.channel, name: this.channelName(input.channel) },
      ...(message === undefined ? {} : { message }),
      state: { values: {} },
      response_url: this.responseUrls.issue(this.state.rootUrl, options.teamId),
      actions: input.actions.map((action) => ({
        type: action.type ?? 'button',
        action_id: action.action_id,
        block_id: action.block_id ?? ids.next('b'),
        ...(action.value === undefined ? {} : { value: action.value }),
        text: { type: 'plain_text', text: action.action_id, emoji: true },
        action_ts: actionTs,
      })),
    };
  }

  /**
   * block_actions from inside a modal: the container is the view, the payload carries the whole view
   * (id, hash, callback_id, private_metadata, state) and has no channel, message or response_url.
   */
  viewBlockActions(input: ViewBlockActionInput) {
    const userId = input.userId ?? this.defaultUser;
    const { options, ids } = this.state;
    const opened = this.state.views.get(input.viewId);
    if (opened === undefined) throw new Error(`No view ${input.viewId} was opened`);
    const state = { values: input.values };
    return {
      type: 'block_actions',
      user: this.userObject(userId),
      api_app_id: options.appId,
      token: 'fake-verification-token',
      container: { type: 'view', view_id: opened.id },
      trigger_id: this.state.views.issueTrigger(),
      team: this.team(),
      enterprise: null,
      is_enterprise_install: false,
      view: { ...opened, state },
      state,
      actions: [
        {
          type: input.type ?? 'static_select',
          action_id: input.action_id,
          block_id: input.block_id,
          selected_option: {
            text: { type: 'plain_text', text: input.selectedValue, emoji: true },
            value: input.selectedValue,
          },
          action_ts: ids.nextTs(),
        },
      ],
    };
  }

  /** A modal submission; with `viewId`, the view opened through the fake is the base. */
  viewSubmission(input: ViewSubmissionInput) {
    const userId = input.userId ?? this.defaultUser;
    const { options } = this.state;
    const opened = input.viewId === undefined ? undefined : this.state.views.get(input.viewId);
    if (input.viewId !== undefined && opened === undefined)
      throw new Error(`No view ${input.viewId} was opened`);
    const id = opened?.id ?? this.state.ids.next('V');
    const view = {
      type: 'modal',
      blocks: [],
      title: { type: 'plain_text', text: 'Sora' },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: id,
      external_id: '',
      app_installed_team_id: options.teamId,
      bot_id: options.botId,
      ...opened,
      id,
      team_id: options.teamId,
      app_id: options.appId,
      callback_id: input.callbackId ?? opened?.callback_id ?? '',
      private_metadata: input.privateMetadata ?? (opened?.private_metadata as string | undefined) ?? '',
      state: { values: input.values },
      hash: opened?.hash ?? `${Math.floor(this.state.now() / 1000)}.fakehash`,
    };
    return {
      type: 'view_submission',
      team: this.team(),
      user: this.userObject(userId),
      api_app_id: options.appId,
      token: 'fake-verification-token',
      trigger_id: this.state.views.issueTrigger(),
      view,
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
  }

  /** `view.state.values[block][action]` for a file_input element carrying these file objects. */
  static fileInputValue(files: Record<string, unknown>[]) {
    return { type: 'file_input', files };
  }
}
