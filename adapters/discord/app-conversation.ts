/**
 * Where a job lives when the bot is not a member of the chat it was asked from: a user-installed
 * `/sora` in a DM or group DM, in the bot's own DM, or in a server without the bot (or where the bot
 * may not post). Everything is answered through the command's interaction (its webhook: the
 * original response and follow-ups), which Discord accepts for 15 minutes; after that the video goes
 * to the requester's DM (app-delivery.ts).
 *
 * `discord:app:SCOPE:CHANNEL:INTERACTION:USER`:
 * - SCOPE, the workspace: the guild id in a server, else `u` + the requester's id (their user-install
 *   scope: a person's videos made outside servers are theirs alone, listed and completed only for them);
 * - CHANNEL, where the interaction happened (its messages are addressed `CHANNEL:MESSAGE`);
 * - INTERACTION, the command's interaction id: its token is kept under it for the 15 minutes
 *   (interaction-tokens.ts), never in the job record, which outlives it;
 * - USER, the requester, whom the video is DMed to once the token has expired.
 */
export interface AppConversation {
  scope: string;
  channelId: string;
  interactionId: string;
  userId: string;
}

const SNOWFLAKE = '\\d{1,20}';
const SCOPE = `(?:${SNOWFLAKE}|u${SNOWFLAKE})`;
const APP_PATTERN = new RegExp(`^discord:app:(${SCOPE}):(${SNOWFLAKE}):(${SNOWFLAKE}):(${SNOWFLAKE})$`);

export function encodeAppConversation(c: AppConversation): string {
  return `discord:app:${c.scope}:${c.channelId}:${c.interactionId}:${c.userId}`;
}

/** The app conversation, or undefined for anything else (a server channel's conversation included). */
export function decodeAppConversation(conversation: string): AppConversation | undefined {
  const match = APP_PATTERN.exec(conversation);
  if (!match) return undefined;
  return { scope: match[1]!, channelId: match[2]!, interactionId: match[3]!, userId: match[4]! };
}

/** What `/sora list all:true` lists there: everything asked in that chat within the scope. */
export function appChannelScope(c: Pick<AppConversation, 'scope' | 'channelId'>): string {
  return `discord:app:${c.scope}:${c.channelId}`;
}

/** The workspace of a user-install outside servers: the person's own. */
export function userInstallScope(userId: string): string {
  return `u${userId}`;
}
