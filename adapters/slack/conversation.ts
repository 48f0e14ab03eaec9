/**
 * Slack identities. A conversation is `slack:TEAM:CHANNEL` (a channel: where a slash command was
 * typed) or `slack:TEAM:CHANNEL:THREAD_TS` (the thread under a job's parent message; `thread_ts` must
 * be the parent's ts: https://api.slack.com/messaging/managing#threading). A message reference is
 * `TEAM:CHANNEL:TS`, because a ts is unique only within its channel; a delivered file is `file:F…`.
 */
import type { RequesterInput } from '../../src/core/requester.js';

export const SLACK_PLATFORM = 'slack';

export interface SlackConversation {
  team: string;
  channel: string;
  /** The parent message's ts when the conversation is a thread. */
  threadTs: string | null;
}

export interface SlackMessageLocation {
  team: string;
  channel: string;
  ts: string;
}

const ID = '[A-Z0-9]+';
const TS = '\\d+\\.\\d+';
const CONVERSATION_PATTERN = new RegExp(`^slack:(${ID}):(${ID})(?::(${TS}))?$`);
const MESSAGE_REF_PATTERN = new RegExp(`^(${ID}):(${ID}):(${TS})$`);

export function encodeConversation(c: SlackConversation): string {
  return c.threadTs ? `slack:${c.team}:${c.channel}:${c.threadTs}` : `slack:${c.team}:${c.channel}`;
}

/** The Slack conversation, or undefined for anything that is not one. */
export function decodeConversation(conversation: string): SlackConversation | undefined {
  const match = CONVERSATION_PATTERN.exec(conversation);
  if (!match) return undefined;
  return { team: match[1]!, channel: match[2]!, threadTs: match[3] ?? null };
}

/** The channel-level scope of a conversation (what `/sora list --all` lists). */
export function channelScope(team: string, channel: string): string {
  return encodeConversation({ team, channel, threadTs: null });
}

export function encodeMessageRef(m: SlackMessageLocation): string {
  return `${m.team}:${m.channel}:${m.ts}`;
}

export function decodeMessageRef(ref: string): SlackMessageLocation | undefined {
  const match = MESSAGE_REF_PATTERN.exec(ref);
  if (!match) return undefined;
  return { team: match[1]!, channel: match[2]!, ts: match[3]! };
}

/** The reference of a file the bot uploaded (a delivery's other ref; the core indexes it to the job). */
export function fileRef(fileId: string): string {
  return `file:${fileId}`;
}

/** The file id of a `file:F…` reference, or undefined for anything else. */
export function fileIdOfRef(ref: string): string | undefined {
  return /^file:([A-Z0-9]+)$/.exec(ref)?.[1];
}

export function slackRequester(input: {
  team: string;
  user: string;
  userName?: string | undefined;
  isAdmin?: boolean;
}): RequesterInput {
  return {
    platform: SLACK_PLATFORM,
    workspace: input.team,
    user: input.user,
    ...(input.userName ? { displayName: input.userName } : {}),
    isAdmin: input.isAdmin ?? false,
  };
}
