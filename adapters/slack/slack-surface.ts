/**
 * The Slack ChatSurface. A job starts as a parent message in the channel (its ts opens the thread);
 * progress edits that message through the per-workspace edit budget; the video goes into the thread
 * through the streaming three-step upload, followed by a small message with the Remix and Delete
 * buttons. Each delivery is recorded in the store before its first side effect, so after a crash
 * `findDelivery` can tell "never started" (no API call needed) from "already in the thread".
 */
import { stat } from 'node:fs/promises';
import type { Logger } from '../../src/core/logger.js';
import type { Action, BotMessage, StatusMessage } from '../../src/core/messages.js';
import {
  type ChatSurface,
  SurfaceError,
  type SurfaceLimits,
  type ThreadStart,
  type VideoDelivery,
} from '../../src/core/surface.js';
import type { Store } from '../../src/store/store.js';
import { RESULT_BLOCK_PREFIX, renderMessage, resultCaption, resultControls } from './blocks.js';
import {
  decodeConversation,
  decodeMessageRef,
  encodeConversation,
  encodeMessageRef,
  fileRef,
  SLACK_PLATFORM,
  type SlackConversation,
} from './conversation.js';
import type { SlackApi } from './slack-api.js';
import type { StatusEditBudget } from './status-edit-budget.js';
import { uploadFileStreaming } from './streaming-upload.js';
import { findThreadMessage } from './thread-lookup.js';

export const SLACK_LIMITS = {
  // Slack's per-file maximum; a workspace may set a lower one, which completeUploadExternal reports.
  maxUploadBytes: 1024 * 1024 * 1024,
  // The core throttles each job's edits to this; StatusEditBudget then caps each workspace.
  progressIntervalMs: 3_000,
} as const satisfies SurfaceLimits;

const DM_TEXT =
  "I can't post in a direct message between other people. Use `/sora` in a channel, or in a direct message with me.";
const FINAL_PHASES = new Set(['done', 'failed', 'deleted']);
const DELIVERY_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** What the store remembers of a delivery in progress (key `slack:delivery:JOB`). */
interface DeliveryRecord {
  fileId: string | null;
  /** 'uploading' until completeUploadExternal answered ok; 'shared' after. */
  state: 'uploading' | 'shared';
  controlsRef: string | null;
}

export interface SlackSurfaceDeps {
  slack: SlackApi;
  store: Store;
  budget: StatusEditBudget;
  logger: Logger;
  /** Indexes a message ref (or file ref) to a job, so reactions on it find the job. */
  indexMessage: (ref: string, jobId: string) => Promise<void>;
}

export function videoFileName(jobId: string): string {
  return `sora-${jobId}.mp4`;
}

export function stillFileName(jobId: string): string {
  return `sora-${jobId}-still.webp`;
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
        this.joiningIfNeeded(ref.channel, () => slack.call('chat.update', args)),
      );
    else
      await budget.intermediate(c.team, statusRef, () =>
        this.joiningIfNeeded(ref.channel, () => slack.tryProgress('chat.update', args)),
      );
  }

  async deliverVideo(delivery: VideoDelivery): Promise<string> {
    const c = decode(delivery.conversation);
    const { message } = delivery;
    const jobId = message.job.id;
    const record: DeliveryRecord = { fileId: null, state: 'uploading', controlsRef: null };
    await this.saveRecord(jobId, record);
    let refusal: SurfaceError | undefined;
    if (this.limits.maxUploadBytes !== null && delivery.videoBytes > this.limits.maxUploadBytes)
      refusal = new SurfaceError('upload_refused', "The video is over Slack's 1 GB file limit.", false);
    else {
      try {
        const { fileId } = await uploadFileStreaming(this.deps.slack, {
          path: delivery.videoPath,
          bytes: delivery.videoBytes,
          filename: videoFileName(jobId),
          title: `Sora video ${jobId}`,
          channel: c.channel,
          threadTs: c.threadTs,
          initialComment: resultCaption(message),
          onFileId: (id) => this.saveRecord(jobId, { ...record, fileId: id }),
          joinChannel: () => this.joinPublicChannel(c.channel),
        });
        record.fileId = fileId;
      } catch (error) {
        if (!(error instanceof SurfaceError && error.code === 'upload_refused')) throw error;
        refusal = error;
      }
    }
    if (refusal) await this.deliverStill(delivery, c, refusal, record);
    record.state = 'shared';
    await this.saveRecord(jobId, record);
    if (record.fileId) await this.deps.indexMessage(fileRef(record.fileId), jobId);
    return this.postControls(delivery.conversation, jobId, record, message.actions);
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

  async findDelivery(conversation: string, jobId: string): Promise<string | undefined> {
    const record = await this.deps.store.get<DeliveryRecord>(recordKey(jobId));
    // Nothing was ever sent for this job: the record is written before the first upload call.
    if (!record) return undefined;
    if (record.controlsRef) return record.controlsRef;
    const c = decode(conversation);
    if (!c.threadTs) return undefined;
    const names = new Set([videoFileName(jobId), stillFileName(jobId)]);
    const found = await findThreadMessage(this.deps.slack, c.channel, c.threadTs, (m) => {
      if (m.blocks?.some((b) => b.block_id === `${RESULT_BLOCK_PREFIX}${jobId}`)) return 'controls';
      if (m.files?.some((f) => names.has(f.name ?? ''))) return 'file';
      return undefined;
    });
    if (found?.kind === 'controls')
      return encodeMessageRef({ team: c.team, channel: c.channel, ts: found.message.ts });
    if (found?.kind === 'file' || record.state === 'shared') {
      // The video is in the thread but the buttons are not: finish the delivery without re-uploading.
      const fileId = found?.message.files?.find((f) => names.has(f.name ?? ''))?.id ?? record.fileId;
      if (fileId) await this.deps.indexMessage(fileRef(fileId), jobId);
      const completed: DeliveryRecord = { ...record, fileId: fileId ?? null, state: 'shared' };
      return this.postControls(conversation, jobId, completed, resultActions(jobId));
    }
    return undefined;
  }

  async markDeleted(_conversation: string, messageRef: string, message: BotMessage): Promise<void> {
    const ref = decodeMessageRef(messageRef);
    if (!ref) return;
    const body = renderMessage(message);
    await this.deps.slack.call('chat.update', {
      channel: ref.channel,
      ts: ref.ts,
      text: body.text,
      blocks: body.blocks,
    });
    // The note names no job: the controls message's own record says which file to remove.
    const fileId = (await this.deps.store.get<{ fileId: string | null }>(controlsKey(messageRef)))?.fileId;
    if (fileId) {
      try {
        await this.deps.slack.call('files.delete', { file: fileId });
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'could not delete the video file from Slack');
      }
    }
  }

  private async deliverStill(
    delivery: VideoDelivery,
    c: SlackConversation,
    refusal: SurfaceError,
    record: DeliveryRecord,
  ): Promise<void> {
    const jobId = delivery.message.job.id;
    const note = `${refusal.userMessage} Here is a still from it instead; ask a workspace admin about the upload limit, or remix it into a shorter clip.`;
    const message = { ...delivery.message, notes: [...delivery.message.notes, note] };
    this.deps.logger.warn({ jobId, code: refusal.code }, 'slack refused the video; posting the still');
    if (delivery.thumbnailPath) {
      try {
        const { fileId } = await uploadFileStreaming(this.deps.slack, {
          path: delivery.thumbnailPath,
          bytes: (await stat(delivery.thumbnailPath)).size,
          filename: stillFileName(jobId),
          title: `Sora video ${jobId} (still)`,
          channel: c.channel,
          threadTs: c.threadTs,
          initialComment: resultCaption(message),
          onFileId: (id) => this.saveRecord(jobId, { ...record, fileId: id }),
          joinChannel: () => this.joinPublicChannel(c.channel),
        });
        record.fileId = fileId;
        return;
      } catch (error) {
        if (!(error instanceof SurfaceError && error.code === 'upload_refused')) throw error;
      }
    }
    await this.deps.slack.call('chat.postMessage', {
      channel: c.channel,
      text: resultCaption(message),
      ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
    });
  }

  private async postControls(
    conversation: string,
    jobId: string,
    record: DeliveryRecord,
    actions: Action[],
  ): Promise<string> {
    const c = decode(conversation);
    const body = resultControls(jobId, actions);
    const posted = await this.deps.slack.call('chat.postMessage', {
      channel: c.channel,
      text: body.text,
      blocks: body.blocks,
      ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
      metadata: { event_type: 'sora_video_delivered', event_payload: { job_id: jobId } },
    });
    const ref = encodeMessageRef({ team: c.team, channel: c.channel, ts: String(posted.ts) });
    await this.saveRecord(jobId, { ...record, controlsRef: ref });
    await this.deps.store.set(controlsKey(ref), { jobId, fileId: record.fileId }, DELIVERY_TTL_MS);
    return ref;
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

  private saveRecord(jobId: string, record: DeliveryRecord): Promise<void> {
    return this.deps.store.set(recordKey(jobId), record, DELIVERY_TTL_MS);
  }
}

/** The buttons of a delivered video (the same as the core's result actions). */
function resultActions(jobId: string): Action[] {
  return [
    { kind: 'remix', jobId, label: 'Remix' },
    { kind: 'delete', jobId, label: 'Delete' },
  ];
}

function controlsKey(ref: string): string {
  return `slack:controls:${ref}`;
}

function recordKey(jobId: string): string {
  return `slack:delivery:${jobId}`;
}

function decode(conversation: string): SlackConversation {
  const c = decodeConversation(conversation);
  if (!c) throw new SurfaceError('platform_error', `${conversation} is not a Slack conversation.`, false);
  return c;
}
