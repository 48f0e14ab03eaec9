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
 */
import { stat } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
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
import { type SlackApi, slackErrorCode } from './slack-api.js';
import type { StatusEditBudget } from './status-edit-budget.js';
import { uploadFileStreaming } from './streaming-upload.js';

export const SLACK_LIMITS = {
  // Slack's per-file maximum; a workspace may set a lower one, which completeUploadExternal reports.
  maxUploadBytes: 1024 * 1024 * 1024,
  // The core throttles each job's edits to this; StatusEditBudget then caps each workspace.
  progressIntervalMs: 3_000,
} as const satisfies SurfaceLimits;

const DM_TEXT =
  "I can't post in a direct message between other people. Use `/sora` in a channel, or in a direct message with me.";
const FINAL_PHASES = new Set(['done', 'failed', 'deleted', 'cancelled']);
/** Slack shares a completed upload asynchronously; findDelivery looks once more after this long. */
const DEFAULT_SHARE_SETTLE_MS = 3_000;
/** Answers that mean the thing to remove is already gone. */
const ALREADY_GONE = new Set(['file_not_found', 'file_deleted', 'message_not_found']);
/** Answers that will not change on a retry: the bot may not remove that (someone else's, too old). */
const NOT_OURS_TO_REMOVE = new Set([
  'cant_update_message',
  'cant_delete_message',
  'cant_delete_file',
  'edit_window_closed',
  'access_denied',
]);

/**
 * What a delivery checkpoints (all optional; later checkpoints add to earlier ones):
 * `fileId` (the file about to be shared: the video, or its still), `captionTs` (the text-only
 * fallback), `controlsTs` (the message with the buttons).
 */
export type SlackDeliveryFacts = Partial<Record<'fileId' | 'captionTs' | 'controlsTs', string>>;

export interface SlackSurfaceDeps {
  slack: SlackApi;
  budget: StatusEditBudget;
  logger: Logger;
  /** How long findDelivery gives a completed upload to show its share before calling it not posted. */
  shareSettleMs?: number;
  /** The bot's undici Agent (src/app.ts), for the upload; undici's global one when absent (tests). */
  dispatcher?: Dispatcher;
}

export function videoFileName(jobId: string): string {
  return `sora-${jobId}.mp4`;
}

export function stillFileName(jobId: string): string {
  return `sora-${jobId}-still.webp`;
}

const ShareSchema = z.object({ ts: z.string(), thread_ts: z.string().optional() }).passthrough();
const SharesSchema = z
  .object({
    public: z.record(z.string(), z.array(ShareSchema)).optional(),
    private: z.record(z.string(), z.array(ShareSchema)).optional(),
  })
  .passthrough();
const FileInfoSchema = z.object({
  file: z.object({ id: z.string(), shares: SharesSchema.optional() }).passthrough(),
});

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
        this.joiningIfNeeded(ref.channel, () => slack.call('chat.update', args)),
      );
    else
      await budget.intermediate(c.team, statusRef, () =>
        this.joiningIfNeeded(ref.channel, () => slack.tryProgress('chat.update', args)),
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
        fileId = await this.upload(c, {
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
      const still = await this.deliverStill(delivery, c, refusal, checkpoint);
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
      ? await this.shareOf(fileId, c, this.deps.shareSettleMs ?? DEFAULT_SHARE_SETTLE_MS).catch(
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
      ? await this.shareOf(fileId, c, controlsTs ? 0 : (this.deps.shareSettleMs ?? DEFAULT_SHARE_SETTLE_MS))
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
      await this.removing(() =>
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
      if (fileId) await this.removing(() => this.deps.slack.call('files.delete', { file: fileId }));
      else if (location && ref !== video.messageRef)
        await this.removing(() =>
          this.deps.slack.call('chat.delete', { channel: location.channel, ts: location.ts }),
        );
    }
  }

  private async removing(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      const code = slackErrorCode(error);
      if (code && ALREADY_GONE.has(code)) return;
      const permanent =
        (code && NOT_OURS_TO_REMOVE.has(code)) || !(error instanceof SurfaceError && error.retryable);
      if (!permanent) throw error;
      this.deps.logger.warn({ err: error }, 'could not remove part of a deleted video from Slack');
    }
  }

  /** Uploads one file and shares it into the thread; the checkpoint comes between the two. */
  private async upload(
    c: SlackConversation,
    file: {
      path: string;
      bytes: number;
      filename: string;
      title: string;
      caption: string;
      checkpoint: (facts: SlackDeliveryFacts) => Promise<void>;
    },
  ): Promise<string> {
    // Set from the callback below (an object, so the catch sees the callback's writes).
    const at: { fileId?: string; step: 'upload' | 'checkpoint' | 'share' } = { step: 'upload' };
    try {
      const { fileId } = await uploadFileStreaming(this.deps.slack, {
        path: file.path,
        bytes: file.bytes,
        filename: file.filename,
        title: file.title,
        channel: c.channel,
        threadTs: c.threadTs,
        initialComment: file.caption,
        ...(this.deps.dispatcher ? { dispatcher: this.deps.dispatcher } : {}),
        beforeShare: async (id) => {
          at.fileId = id;
          at.step = 'checkpoint';
          await file.checkpoint({ fileId: id });
          at.step = 'share';
        },
        joinChannel: () => this.joinPublicChannel(c.channel),
      });
      return fileId;
    } catch (error) {
      // Never shared, and now never will be: stopped at the checkpoint (deleted meanwhile, or another
      // process took over) or refused by the workspace. Remove it rather than leave it in the bot's
      // files. Any other failure of the share may have shared it: the file stays for findDelivery.
      const refused = error instanceof SurfaceError && error.code === 'upload_refused';
      if (at.fileId && (at.step === 'checkpoint' || (at.step === 'share' && refused)))
        await this.deps.slack.call('files.delete', { file: at.fileId }).catch(() => undefined);
      throw error;
    }
  }

  /** The video was refused: its still with an explanation, or the explanation alone. */
  private async deliverStill(
    delivery: VideoDelivery,
    c: SlackConversation,
    refusal: SurfaceError,
    checkpoint: (facts: SlackDeliveryFacts) => Promise<void>,
  ): Promise<{ fileId?: string; captionTs?: string }> {
    const { jobId } = delivery;
    const note = `${refusal.userMessage} Here is a still from it instead; ask a workspace admin about the upload limit, or remix it into a shorter clip.`;
    const message = { ...delivery.message, notes: [...delivery.message.notes, note] };
    this.deps.logger.warn({ jobId, code: refusal.code }, 'slack refused the video; posting the still');
    if (delivery.thumbnailPath) {
      try {
        const fileId = await this.upload(c, {
          path: delivery.thumbnailPath,
          bytes: (await stat(delivery.thumbnailPath)).size,
          filename: stillFileName(jobId),
          title: `Sora video ${jobId} (still)`,
          caption: resultCaption(message),
          checkpoint,
        });
        return { fileId };
      } catch (error) {
        if (!(error instanceof SurfaceError && error.code === 'upload_refused')) throw error;
      }
    }
    // The refused file was never shared: a new checkpoint says so before the caption goes out.
    await checkpoint({ fileId: '' });
    const posted = await this.deps.slack.call('chat.postMessage', {
      channel: c.channel,
      text: resultCaption(message),
      ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
    });
    return { captionTs: String(posted.ts) };
  }

  /**
   * The message that shared `fileId` into the conversation (its thread), from `files.info`; looks once
   * more after `settleMs` when it does not show yet (Slack shares a completed upload asynchronously).
   */
  private async shareOf(fileId: string, c: SlackConversation, settleMs: number): Promise<string | undefined> {
    for (let attempt = 0; ; attempt++) {
      let info: z.infer<typeof FileInfoSchema>;
      try {
        const parsed = FileInfoSchema.safeParse(await this.deps.slack.call('files.info', { file: fileId }));
        if (!parsed.success) return undefined;
        info = parsed.data;
      } catch (error) {
        const code = slackErrorCode(error);
        if (code && ALREADY_GONE.has(code)) return undefined;
        throw error;
      }
      const shares = info.file.shares;
      const here = [...(shares?.public?.[c.channel] ?? []), ...(shares?.private?.[c.channel] ?? [])];
      const share = here.find((s) => (c.threadTs ? s.thread_ts === c.threadTs : !s.thread_ts));
      if (share) return encodeMessageRef({ team: c.team, channel: c.channel, ts: share.ts });
      if (attempt > 0 || settleMs <= 0) return undefined;
      await new Promise((resolve) => setTimeout(resolve, settleMs));
    }
  }

  /**
   * chat:write.public lets the bot post its parent message in a public channel it has not joined, but
   * edits and file shares there need membership: join the channel (public ones only; a private channel
   * needs an invite) and retry once.
   */
  private async joiningIfNeeded(channel: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (!(error instanceof SurfaceError && error.code === 'not_in_channel')) throw error;
      if (!(await this.joinPublicChannel(channel))) throw error;
      await call();
    }
  }

  private async joinPublicChannel(channel: string): Promise<boolean> {
    try {
      await this.deps.slack.call('conversations.join', { channel });
      this.deps.logger.info({ channel }, 'joined the public channel to post the video there');
      return true;
    } catch (error) {
      this.deps.logger.debug({ channel, err: error }, 'could not join the channel');
      return false;
    }
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
