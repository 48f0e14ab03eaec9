/**
 * The Slack surface as the core sees it in OAuth mode: each call runs as a call for the workspace in
 * its conversation (`slack:TEAM:…`), so the Web API calls it makes carry that workspace's bot token
 * (workspace-scope.ts). The core's loops (delivery, progress, cleanup) call surfaces outside any Slack
 * request; this is where they learn which workspace they are working for.
 */
import type { BotMessage, StatusMessage } from '../../src/core/messages.js';
import {
  type ChatSurface,
  type DeliveredVideo,
  type DeliveryProgress,
  SurfaceError,
  type ThreadStart,
  type VideoDelivery,
} from '../../src/core/surface.js';
import { decodeConversation } from './conversation.js';
import type { WorkspaceScope } from './workspace-scope.js';

export class WorkspaceScopedSurface implements ChatSurface {
  readonly platform: ChatSurface['platform'];
  readonly limits: ChatSurface['limits'];
  readonly findDelivery: ChatSurface['findDelivery'];
  readonly markDeleted: ChatSurface['markDeleted'];

  constructor(
    private readonly inner: ChatSurface,
    private readonly scope: WorkspaceScope,
  ) {
    this.platform = inner.platform;
    this.limits = inner.limits;
    const find = inner.findDelivery?.bind(inner);
    this.findDelivery =
      find && ((conversation, jobId, facts) => this.in(conversation, () => find(conversation, jobId, facts)));
    const mark = inner.markDeleted?.bind(inner);
    this.markDeleted =
      mark &&
      ((conversation, video, message) => this.in(conversation, () => mark(conversation, video, message)));
  }

  startJob(conversation: string, message: StatusMessage): Promise<ThreadStart> {
    return this.in(conversation, () => this.inner.startJob(conversation, message));
  }

  updateStatus(conversation: string, statusRef: string, message: StatusMessage): Promise<void> {
    return this.in(conversation, () => this.inner.updateStatus(conversation, statusRef, message));
  }

  deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    return this.in(delivery.conversation, () => this.inner.deliverVideo(delivery, progress));
  }

  post(conversation: string, message: BotMessage): Promise<string> {
    return this.in(conversation, () => this.inner.post(conversation, message));
  }

  private async in<T>(conversation: string, work: () => Promise<T>): Promise<T> {
    const team = decodeConversation(conversation)?.team;
    if (!team)
      throw new SurfaceError('platform_error', `${conversation} is not a Slack conversation.`, false);
    // The token Bolt found belongs to the request that started this; the conversation's team decides.
    const current = this.scope.current();
    return this.scope.run(current?.team === team ? current : { team }, work);
  }
}
