/**
 * Wake-ups between the processes that share a store. A replica that queues a job, or sees a render
 * finish, wakes its own loops directly; the other replicas learn of it here, so a job queued on one
 * replica is submitted (or delivered) by any of them at once instead of at their next idle look.
 *
 * Best effort by design: Redis pub/sub delivers at most once and drops what is sent while a
 * subscriber reconnects. Nothing depends on a signal arriving: the loops still look at the store on
 * their own (see the idle delays in the core), a signal only makes them look sooner.
 */
import { EventEmitter } from 'node:events';

export type SignalHandler = (from: string) => void;

export interface StoreSignals {
  /** Tells every process on this store (this one too) that `topic` has work; `from` names the sender. */
  publish(topic: string, from: string): Promise<void>;
  /** Calls `handler` with the sender's name for every signal on `topic`. */
  subscribe(topic: string, handler: SignalHandler): Promise<void>;
  close(): Promise<void>;
}

/**
 * One SQLite file has one bot process (its writer lock), so signals never need to leave the process;
 * stores opened on the same file in one process (tests, the CLI beside an embedded bot) share a bus.
 */
const localBuses = new Map<string, { bus: EventEmitter; users: number }>();

export class LocalSignals implements StoreSignals {
  private readonly bus: EventEmitter;
  private readonly handlers: [string, (from: string) => void][] = [];
  private closed = false;

  constructor(private readonly name: string) {
    const entry = localBuses.get(name) ?? { bus: new EventEmitter().setMaxListeners(0), users: 0 };
    entry.users++;
    localBuses.set(name, entry);
    this.bus = entry.bus;
  }

  async publish(topic: string, from: string): Promise<void> {
    this.bus.emit(topic, from);
  }

  async subscribe(topic: string, handler: SignalHandler): Promise<void> {
    this.handlers.push([topic, handler]);
    this.bus.on(topic, handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [topic, handler] of this.handlers) this.bus.off(topic, handler);
    const entry = localBuses.get(this.name);
    if (entry && --entry.users === 0) localBuses.delete(this.name);
  }
}

/** The commands of a node-redis client that signals need (the store's own connection). */
export interface PubSubClient {
  publish(channel: string, message: string): Promise<number>;
  duplicate(): PubSubConnection;
}

interface PubSubConnection {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
}

/**
 * Redis pub/sub under the store's namespace. A subscribed connection can do nothing else, so the
 * first subscription opens a second connection (node-redis subscribes again after a reconnect).
 */
export class RedisSignals implements StoreSignals {
  private subscriber: Promise<PubSubConnection> | undefined;

  constructor(
    private readonly client: PubSubClient,
    private readonly prefix: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  async publish(topic: string, from: string): Promise<void> {
    await this.client.publish(this.channel(topic), from);
  }

  async subscribe(topic: string, handler: SignalHandler): Promise<void> {
    const connection = await this.connection();
    await connection.subscribe(this.channel(topic), (message) => handler(message));
  }

  /**
   * Subscribes to a raw channel and ignores its messages: the subscription itself is the point (Redis
   * drops it the moment this connection closes, which is how a store declares presence).
   */
  async hold(channel: string): Promise<void> {
    const connection = await this.connection();
    await connection.subscribe(channel, () => undefined);
  }

  async close(): Promise<void> {
    const pending = this.subscriber;
    this.subscriber = undefined;
    if (!pending) return;
    const connection = await pending.catch(() => undefined);
    if (!connection) return;
    await (connection.close?.() ?? connection.quit?.())?.catch(() => undefined);
  }

  private channel(topic: string): string {
    return `${this.prefix}signal:${topic}`;
  }

  private connection(): Promise<PubSubConnection> {
    this.subscriber ??= (async () => {
      const connection = this.client.duplicate();
      // Without a listener a dropped connection would crash the process; node-redis reconnects.
      connection.on('error', this.onError);
      await connection.connect();
      return connection;
    })();
    return this.subscriber;
  }
}
