/**
 * The Slack ChatSurface. A job starts as a parent message in the channel (its ts opens the thread);
 * progress edits that message through the per-workspace edit budget; the video goes into the thread
 * through the streaming three-step upload, followed by a small message with the Remix and Delete
 * buttons.
 *
 * Exactly once without reading history: `conversations.replies` is throttled to about one request a
 * minute for apps outside the Marketplace (since 2025-05-29), so a restart must not walk the thread.
 * Instead the delivery checkpoints the file id once the bytes are up and before the share that makes
 * them visible (`files.completeUploadExternal`), and the ts of every message it posts afterwards.
 * `findDelivery` asks `files.info` about that one file: its `shares` say whether, and as which message,
 * it landed in the thread.
 *
 * The parts live next to this file, one concern each: the upload into the thread (thread-upload.ts),
 * the still when Slack refuses the video (still-fallback.ts), finding a file's share (file-shares.ts),
 * joining a public channel (channel-join.ts), and what a removal answer means (removal-answers.ts).
 */
import type { Dispatcher } from 'undici';
import type { Logger } from '../../src/core/logger.js';
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
import { renderMessage, resultCaption, resultControls } from './blocks.js';
import { joiningIfNeeded } from './channel-join.js';
import {
  decodeConversation,
  decodeMessageRef,
  encodeConversation,
  encodeMessageRef,
  fileIdOfRef,
  fileRef,
  SLACK_PLATFORM,
  type SlackConversation,
} from './conversation.js';
import { type SlackDeliveryFacts, videoFileName } from './delivery-facts.js';
import { DEFAULT_SHARE_SETTLE_MS, shareOf } from './file-shares.js';
import { removing } from './removal-answers.js';
import type { SlackApi } from './slack-api.js';
import type { StatusEditBudget } from './status-edit-budget.js';
import { deliverStill } from './still-fallback.js';
import { uploadIntoThread } from './thread-upload.js';

// Importers (and tests) take these from the surface.
export { type SlackDeliveryFacts, stillFileName, videoFileName } from './delivery-facts.js';

export const SLACK_LIMITS = {
  // Slack's per-file maximum; a workspace may set a lower one, which completeUploadExternal reports.
  maxUploadBytes: 1024 * 1024 * 1024,
  // The core throttles each job's edits to this; StatusEditBudget then caps each workspace.
  progressIntervalMs: 3_000,
} as const satisfies SurfaceLimits;

const DM_TEXT =
  "I can't post in a direct message between other people. Use `/sora` in a channel, or in a direct message with me.";
const FINAL_PHASES = new Set(['done', 'failed', 'deleted', 'cancelled']);

export interface SlackSurfaceDeps {
  slack: SlackApi;
  budget: StatusEditBudget;
  logger: Logger;
  /** How long findDelivery gives a completed upload to show its share before calling it not posted. */
  shareSettleMs?: number;
  /** The bot's undici Agent (src/app.ts), for the upload; undici's global one when absent (tests). */
  dispatcher?: Dispatcher;
}

export class SlackSurface implements ChatSurface {
  readonly platform = SLACK_PLATFORM;
  readonly limits: SurfaceLimits = SLACK_LIMITS;

  constructor(private readonly deps: SlackSurfaceDeps) {}

  async startJob(conversation: string, message: StatusMessage): Promise<ThreadStart> {
    const c = decode(conversation);
    const body = renderMessage(message);
    let posted: Record<string, unknown>;
    try {
      posted = await this.deps.slack.call('chat.postMessage', {
        channel: c.channel,
        text: body.text,
        blocks: body.blocks,
        unfurl_links: false,
        ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
      });
    } catch (error) {
      // A direct message between people can't take an invite: say where /sora works instead.
      if (error instanceof SurfaceError && error.code === 'not_in_channel' && c.channel.startsWith('D'))
        throw new SurfaceError('not_in_channel', DM_TEXT, false, { cause: error });
      throw error;
    }
    const ts = String(posted.ts);
    return {
      // A slash command's conversation is the channel: the parent message opens the job's thread.
      conversation: c.threadTs ? conversation : encodeConversation({ ...c, threadTs: ts }),
      statusRef: encodeMessageRef({ team: c.team, channel: c.channel, ts }),
    };
  }

  async updateStatus(conversation: string, statusRef: string, message: StatusMessage): Promise<void> {
    const c = decode(conversation);
    const ref = decodeMessageRef(statusRef);
    if (!ref) throw new SurfaceError('platform_error', `${statusRef} is not a Slack message.`, false);
    const body = renderMessage(message);
    const args = { channel: ref.channel, ts: ref.ts, text: body.text, blocks: body.blocks };
    const { slack, budget } = this.deps;
    if (FINAL_PHASES.has(message.phase))
      await budget.final(c.team, statusRef, () =>
        joiningIfNeeded(this.deps, ref.channel, () => slack.call('chat.update', args)),
      );
    else
      await budget.intermediate(c.team, statusRef, () =>
        joiningIfNeeded(this.deps, ref.channel, () => slack.tryProgress('chat.update', args)),
      );
  }

  async deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    const c = decode(delivery.conversation);
    const { jobId, message } = delivery;
    const facts: SlackDeliveryFacts = {};
    // Before each visible step: the core records the facts, or throws (the job was deleted meanwhile).
    const checkpoint = async (more: SlackDeliveryFacts) => {
      Object.assign(facts, more);
      await progress.checkpoint({ ...facts });
    };
    // After a visible step: only a shortcut for findDelivery, so a failure must not lose what was posted.
    const remember = async (more: SlackDeliveryFacts) => {
      Object.assign(facts, more);
      try {
        await progress.checkpoint({ ...facts });
      } catch (error) {
        this.deps.logger.warn({ jobId, err: error }, 'could not record a posted message; continuing');
      }
    };

    let fileId: string | undefined;
    let captionRef: string | undefined;
    let refusal: SurfaceError | undefined;
    if (this.limits.maxUploadBytes !== null && delivery.videoBytes > this.limits.maxUploadBytes)
      refusal = new SurfaceError('upload_refused', "The video is over Slack's 1 GB file limit.", false);
    else {
      try {
        fileId = await uploadIntoThread(this.deps, c, {
          path: delivery.videoPath,
          bytes: delivery.videoBytes,
          filename: videoFileName(jobId),
          title: `Sora video ${jobId}`,
          caption: resultCaption(message),
          checkpoint,
        });
      } catch (error) {
        if (!(error instanceof SurfaceError && error.code === 'upload_refused')) throw error;
        refusal = error;
      }
    }
    if (refusal) {
      const still = await deliverStill(this.deps, delivery, c, refusal, checkpoint);
      fileId = still.fileId;
      if (still.captionTs) {
        captionRef = encodeMessageRef({ team: c.team, channel: c.channel, ts: still.captionTs });
        await remember({ captionTs: still.captionTs });
      }
    }
    let controlsRef: string | undefined;
    let controlsError: unknown;
    try {
      // The requester's mention rides on this message: it comes after the video, as a new message.
      const body = resultControls(jobId, message.actions, message.mention);
      const posted = await this.deps.slack.call('chat.postMessage', {
        channel: c.channel,
        text: body.text,
        blocks: body.blocks,
        ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
        metadata: { event_type: 'sora_video_delivered', event_payload: { job_id: jobId } },
      });
      controlsRef = encodeMessageRef({ team: c.team, channel: c.channel, ts: String(posted.ts) });
      await remember({ controlsTs: String(posted.ts) });
    } catch (error) {
      controlsError = error;
    }
    // The share's own message: the core indexes it, so a reaction on the video finds the job without
    // reading the thread. Slack shares asynchronously, hence the second look after a pause.
    const shareRef = fileId
      ? await shareOf(this.deps.slack, fileId, c, this.deps.shareSettleMs ?? DEFAULT_SHARE_SETTLE_MS).catch(
          () => undefined,
        )
      : undefined;
    const visible = shareRef ?? captionRef;
    if (!controlsRef) {
      // Nothing known to be visible: fail, and the core's retry asks findDelivery about the file.
      if (!visible) throw controlsError;
      // The video is in the thread: without the buttons it is still delivered (reactions still work).
      this.deps.logger.warn({ jobId, err: controlsError }, 'posted the video but not its buttons');
    }
    return delivered(controlsRef ?? visible!, [fileId ? fileRef(fileId) : undefined, shareRef, captionRef]);
  }

  async post(conversation: string, message: BotMessage): Promise<string> {
    const c = decode(conversation);
    const body = renderMessage(message);
    const posted = await this.deps.slack.call('chat.postMessage', {
      channel: c.channel,
      text: body.text,
      blocks: body.blocks,
      unfurl_links: false,
      ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
    });
    return encodeMessageRef({ team: c.team, channel: c.channel, ts: String(posted.ts) });
  }

  /**
   * Was the video posted before the crash? Answered from the checkpointed facts alone: `files.info` on
   * the file id (never `conversations.replies`). A file that was uploaded but never shared here, or no
   * facts at all, means nothing is visible: the core posts again.
   */
  async findDelivery(
    conversation: string,
    _jobId: string,
    facts: Readonly<Record<string, string>>,
  ): Promise<DeliveredVideo | undefined> {
    const c = decode(conversation);
    const { fileId, captionTs, controlsTs } = facts as SlackDeliveryFacts;
    const at = (ts: string | undefined) =>
      ts ? encodeMessageRef({ team: c.team, channel: c.channel, ts }) : undefined;
    // With the buttons' ts the share is known to have happened: no need to wait for it to show.
    const shareRef = fileId
      ? await shareOf(
          this.deps.slack,
          fileId,
          c,
          controlsTs ? 0 : (this.deps.shareSettleMs ?? DEFAULT_SHARE_SETTLE_MS),
        )
      : undefined;
    const captionRef = at(captionTs);
    const messageRef = at(controlsTs) ?? shareRef ?? captionRef;
    if (!messageRef) return undefined;
    return delivered(messageRef, [fileId && shareRef ? fileRef(fileId) : undefined, shareRef, captionRef]);
  }

  /**
   * The video's message becomes the note; the uploaded file and any other message of the delivery are
   * removed. Things already gone count as removed; a refusal that will not change (someone else's
   * file) is logged; anything else is thrown so the core's cleanup tries again.
   */
  async markDeleted(_conversation: string, video: DeliveredVideo, message: BotMessage): Promise<void> {
    const body = renderMessage(message);
    const main = decodeMessageRef(video.messageRef);
    if (main)
      await this.remove(() =>
        this.deps.slack.call('chat.update', {
          channel: main.channel,
          ts: main.ts,
          text: body.text,
          blocks: body.blocks,
        }),
      );
    // Files first: deleting the file also empties the message that shared it.
    const others = [...video.otherRefs].sort((a, b) => Number(!fileIdOfRef(a)) - Number(!fileIdOfRef(b)));
    for (const ref of others) {
      const fileId = fileIdOfRef(ref);
      const location = decodeMessageRef(ref);
      if (fileId) await this.remove(() => this.deps.slack.call('files.delete', { file: fileId }));
      else if (location && ref !== video.messageRef)
        await this.remove(() =>
          this.deps.slack.call('chat.delete', { channel: location.channel, ts: location.ts }),
        );
    }
  }

  private remove(call: () => Promise<unknown>): Promise<void> {
    return removing(this.deps.logger, call);
  }
}

function delivered(messageRef: string, others: (string | undefined)[]): DeliveredVideo {
  const otherRefs = [...new Set(others.filter((r): r is string => Boolean(r) && r !== messageRef))];
  return { messageRef, otherRefs };
}

function decode(conversation: string): SlackConversation {
  const c = decodeConversation(conversation);
  if (!c) throw new SurfaceError('platform_error', `${conversation} is not a Slack conversation.`, false);
  return c;
}
