/**
 * The playground's ChatSurface: every message the core posts lands in a room's history (and from
 * there on every open page, over Server-Sent Events). A message reference is the history entry's ref.
 * A delivery takes its ref first and checkpoints it (`{ ref }`) before the message is posted, so after
 * a crash `findDelivery` looks up exactly that message in the stored history.
 */
import type { BotMessage, StatusMessage } from '../../src/core/messages.js';
import {
  type ChatSurface,
  type DeliveredVideo,
  type DeliveryProgress,
  SurfaceError,
  type SurfaceLimits,
  type ThreadStart,
  type VideoDelivery,
} from '../../src/core/surface.js';
import { decodeConversation, PLAYGROUND_PLATFORM } from './conversation.js';
import type { MediaLinks, RoomHistory } from './room-history.js';

export const PLAYGROUND_LIMITS = {
  // The page is local: frequent updates make the progress bar feel live.
  progressIntervalMs: 250,
  // Videos are not uploaded anywhere; the page streams them from DATA_DIR.
  maxUploadBytes: null,
} as const satisfies SurfaceLimits;

export function mediaLinks(jobId: string, hasThumbnail: boolean): MediaLinks {
  const base = `/playground/media/${encodeURIComponent(jobId)}`;
  return { video: `${base}/video`, thumbnail: hasThumbnail ? `${base}/thumbnail` : null };
}

export class PlaygroundSurface implements ChatSurface {
  readonly platform = PLAYGROUND_PLATFORM;
  readonly limits: SurfaceLimits = PLAYGROUND_LIMITS;

  constructor(private readonly history: RoomHistory) {}

  async startJob(conversation: string, message: StatusMessage): Promise<ThreadStart> {
    const entry = await this.history.append(roomOf(conversation), message, {
      role: 'status',
      jobId: message.job.id,
    });
    return { conversation, statusRef: entry.ref };
  }

  async updateStatus(conversation: string, statusRef: string, message: StatusMessage): Promise<void> {
    const updated = await this.history.replace(roomOf(conversation), statusRef, (entry) => ({
      message,
      media: entry.media,
    }));
    if (!updated)
      throw new SurfaceError('platform_error', 'That status message is no longer in the room.', false);
  }

  async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    const room = roomOf(delivery.conversation);
    // The page shows the still as the player's poster: fetched before the video becomes visible.
    const still = await delivery.thumbnail();
    const ref = this.history.newRef(room);
    await progress.checkpoint({ ref });
    const entry = await this.history.append(room, delivery.message, {
      ref,
      role: 'result',
      jobId: delivery.jobId,
      media: mediaLinks(delivery.jobId, still !== null),
    });
    return { messageRef: entry.ref, otherRefs: [] };
  }

  async post(conversation: string, message: BotMessage): Promise<string> {
    const jobId = 'job' in message && message.job ? message.job.id : null;
    const entry = await this.history.append(roomOf(conversation), message, { role: 'post', jobId });
    return entry.ref;
  }

  /** The checkpointed message, if it was stored as this job's result in this room. */
  async findDelivery(
    conversation: string,
    jobId: string,
    facts: Readonly<Record<string, string>>,
  ): Promise<DeliveredVideo | undefined> {
    const room = roomOf(conversation);
    if (!facts.ref) return undefined;
    const entry = await this.history.stored(facts.ref);
    return entry && entry.room === room && entry.role === 'result' && entry.jobId === jobId
      ? { messageRef: entry.ref, otherRefs: [] }
      : undefined;
  }

  /**
   * The video message becomes the note and loses its media (the page stops showing the player); any
   * other message of the delivery loses its media too. A message no longer in the room is already gone.
   */
  async markDeleted(conversation: string, video: DeliveredVideo, message: BotMessage): Promise<void> {
    const room = roomOf(conversation);
    await this.history.replace(room, video.messageRef, () => ({ message, media: null }));
    for (const ref of video.otherRefs)
      await this.history.replace(room, ref, (entry) => ({ message: entry.message, media: null }));
  }
}

function roomOf(conversation: string): string {
  const room = decodeConversation(conversation);
  if (!room) throw new SurfaceError('platform_error', `${conversation} is not a playground room.`, false);
  return room;
}
