/**
 * Wakes a work loop in this process at once and in every other process on the store soon after
 * (the store's signals). On Redis the replicas share one queue: a job queued through one replica's
 * front door, a render seen finished by the replica that polls, or a webhook that reached a replica
 * that does not poll, is work for the others too. Without this they would notice it only at their
 * next idle look (up to 30 s for the queue and the deliveries).
 *
 * At most one signal per topic is on the wire at a time: a burst of wakes (hundreds of renders seen
 * finished by one list walk) sends one signal, then one more for everything that came during it.
 */
import type { Store } from '../store/store.js';
import type { Logger } from './logger.js';
import type { WakeableLoop } from './wakeable-loop.js';

export type WakeTopic = 'scheduler' | 'poller' | 'delivery';

type Sending = 'sending' | 'again';

export class ClusterWake {
  private readonly sending = new Map<WakeTopic, Sending>();
  private failing = false;

  constructor(
    private readonly store: Store,
    private readonly instanceId: string,
    private readonly loops: Readonly<Record<WakeTopic, WakeableLoop>>,
    private readonly logger: Logger,
  ) {}

  /** Starts waking this process's loops when another process signals (the bot's start). */
  async listen(): Promise<void> {
    for (const topic of Object.keys(this.loops) as WakeTopic[]) {
      const loop = this.loops[topic];
      await this.store.signals.subscribe(topic, (from) => {
        if (from !== this.instanceId) loop.wake();
      });
    }
  }

  wake(topic: WakeTopic): void {
    this.loops[topic].wake();
    if (this.sending.has(topic)) {
      this.sending.set(topic, 'again');
      return;
    }
    this.sending.set(topic, 'sending');
    void this.send(topic);
  }

  private async send(topic: WakeTopic): Promise<void> {
    for (;;) {
      try {
        await this.store.signals.publish(topic, this.instanceId);
        this.failing = false;
      } catch (error) {
        // The loops still look at the store on their own; say so once, not on every wake.
        if (!this.failing) this.logger.warn({ err: error, topic }, 'could not wake the other replicas');
        this.failing = true;
      }
      if (this.sending.get(topic) !== 'again') break;
      this.sending.set(topic, 'sending');
    }
    this.sending.delete(topic);
  }
}
