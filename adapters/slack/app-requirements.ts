/**
 * What the Slack app must declare for this code to work: the one source for manifest.yml (a test
 * reads both, and scans this adapter's source for every Web API method and event it uses) and for
 * `sora-bot doctor`'s scope check. Scopes per method: https://api.slack.com/methods
 */
import { ANIMATE_SHORTCUT_ID, SLASH_COMMAND } from './action-ids.js';

/** Each Web API method the adapter calls, and the bot scopes it needs (none for auth and modals). */
export const METHOD_SCOPES = {
  'auth.test': [],
  'chat.postMessage': ['chat:write', 'chat:write.public'],
  'chat.update': ['chat:write'],
  'chat.delete': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  'files.delete': ['files:write'],
  'files.info': ['files:read'],
  // Threads can live in public and private channels, DMs and group DMs.
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  // Edits and file shares in a public channel need membership, which chat:write.public does not give.
  'conversations.join': ['channels:join'],
  'users.info': ['users:read'],
  'views.open': [],
  'views.update': [],
  // The App Home tab (home-tab.ts) and the links on it (home-links.ts).
  'views.publish': [],
  'chat.getPermalink': [],
} as const satisfies Record<string, readonly string[]>;

export const EVENT_SCOPES = {
  reaction_added: ['reactions:read'],
  app_mention: ['app_mentions:read'],
  // The Home tab opened (home-tab.ts): no scope of its own.
  app_home_opened: [],
  // Messages in the bot's DM (direct-messages.ts): Bolt hears them as `message` events.
  'message.im': ['im:history'],
  // The app removed from a workspace, or its bot token revoked (uninstall-events.ts): no scope needed.
  app_uninstalled: [],
  tokens_revoked: [],
} as const satisfies Record<string, readonly string[]>;

/** The event type a listener hears for a subscription: `message.im` arrives as `message`. */
export function listenedEventType(subscription: string): string {
  return subscription.split('.')[0] ?? subscription;
}

export const SLACK_APP_REQUIREMENTS = {
  commands: [SLASH_COMMAND],
  /**
   * `should_escape` of the command: Slack then sends `@bob` as `<@U123|bob>`, the only way
   * `/sora budget @bob 5/day` can name a user by id (command-text.ts turns prompts back into plain text).
   */
  commandsEscaped: true,
  shortcuts: [ANIMATE_SHORTCUT_ID],
  /** features.app_home: the Home tab is published (home-tab.ts); the Messages tab takes prompts. */
  appHome: { homeTab: true, messagesTab: true, messagesTabReadOnly: false },
  events: Object.keys(EVENT_SCOPES),
  scopes: [
    ...new Set(['commands', ...Object.values(METHOD_SCOPES).flat(), ...Object.values(EVENT_SCOPES).flat()]),
  ].sort(),
} as const;

/** Scopes the bot cannot work without (doctor fails on these; the rest it reports as degraded). */
export const ESSENTIAL_SCOPES = ['commands', 'chat:write', 'files:write', 'files:read'] as const;
