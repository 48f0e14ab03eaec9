/**
 * Keeps an open Home current: the Slack surface as the core sees it, which passes every call through
 * and, when a job is announced or its status message changes phase (queued → rendering → done, failed,
 * deleted…), publishes its requester's Home again, if this process has shown them one. Progress
 * percentages alone do not republish (the status edits are throttled already; the Home would follow
 * every 3 s per job for nothing). Republishing is best effort and off the core's path: it never delays
 * or fails a delivery, and a burst for one person becomes one publish plus at most one more.
 */
import type { Logger } from '../../src/core/logger.js';
import { LruMap } from '../../src/core/lru-map.js';
import type { BotMessage, StatusMessage } from '../../src/core/messages.js';
import type {
  ChatSurface,
  DeliveredVideo,
  DeliveryProgress,
  ThreadStart,
  VideoDelivery,
} from '../../src/core/surface.js';
import { decodeConversation } from './conversation.js';
import type { HomePublisher } from './home-tab.js';

export class HomeRefreshingSurface implements ChatSurface {
  readonly platform: ChatSurface['platform'];
  readonly limits: ChatSurface['limits'];
  readonly findDelivery: ChatSurface['findDelivery'];
  readonly markDeleted: ChatSurface['markDeleted'];
  private readonly phases = new LruMap<string, string>(10_000);
  /** Per person: a publish running, and whether another is owed after it. */
  private readonly running = new Map<string, { again: boolean }>();

  constructor(
    private readonly inner: ChatSurface,
    private readonly home: Pick<HomePublisher, 'refresh'>,
    private readonly logger: Logger,
  ) {
    this.platform = inner.platform;
    this.limits = inner.limits;
    this.findDelivery = inner.findDelivery?.bind(inner);
    this.markDeleted = inner.markDeleted?.bind(inner);
  }

  async startJob(conversation: string, message: StatusMessage): Promise<ThreadStart> {
    const started = await this.inner.startJob(conversation, message);
    this.phases.set(message.job.id, message.phase);
    this.refreshSoon(conversation, message.job.requesterUser);
    return started;
  }

  async updateStatus(conversation: string, statusRef: string, message: StatusMessage): Promise<void> {
    await this.inner.updateStatus(conversation, statusRef, message);
    if (this.phases.get(message.job.id) === message.phase) return;
    this.phases.set(message.job.id, message.phase);
    this.refreshSoon(conversation, message.job.requesterUser);
  }

  deliverVideo(delivery: VideoDelivery, progress: DeliveryProgress): Promise<DeliveredVideo> {
    return this.inner.deliverVideo(delivery, progress);
  }

  post(conversation: string, message: BotMessage): Promise<string> {
    return this.inner.post(conversation, message);
  }

  private refreshSoon(conversation: string, user: string): void {
    const team = decodeConversation(conversation)?.team;
    if (!team) return;
    const key = `${team}:${user}`;
    const current = this.running.get(key);
    if (current) {
      current.again = true;
      return;
    }
    const state = { again: false };
    this.running.set(key, state);
    void (async () => {
      try {
        do {
          state.again = false;
          await this.home.refresh(team, user);
        } while (state.again);
      } catch (error) {
        this.logger.warn({ err: error }, 'could not republish the App Home');
      } finally {
        this.running.delete(key);
      }
    })();
  }
}
