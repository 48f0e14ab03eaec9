/**
 * What a Discord delivery records, where it posts, and the names it gives its file and message: shared
 * by the surface (server channels) and AppDelivery (interaction webhooks, DMs), which post the same way.
 */
import type { Message, MessageCreateOptions } from 'discord.js';

/**
 * What a delivery checkpoints: `channelId` (where it posts) and `after` (a snowflake from before the
 * send), then `messageId` once Discord answered.
 */
export type DiscordDeliveryFacts = Partial<Record<'channelId' | 'after' | 'messageId' | 'via', string>>;

/** Where a delivery posts: a server channel, an interaction's webhook, or the requester's DM. */
export interface DeliveryTarget {
  /** Whose upload limit applies (upload-limits.ts): the guild, or the user-install scope. */
  limitKey: string;
  /** The channel the post lands in (checkpointed before the send). */
  channelId: string;
  /** Recorded with the checkpoint, so findDelivery knows how to look. */
  via: 'channel' | 'interaction' | 'dm';
  /** Lines added to the caption (why a video came as a DM). */
  notes: string[];
  send(payload: MessageCreateOptions): Promise<Message>;
}

export function videoFileName(jobId: string): string {
  return `sora-${jobId}.mp4`;
}

/** The nonce of a job's video message (at most 25 characters; Discord dedupes on it with enforce_nonce). */
export function deliveryNonce(jobId: string): string {
  return `sora-${jobId}`.slice(0, 25);
}
