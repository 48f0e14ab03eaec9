import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';

export type EnvelopeType = 'slash_commands' | 'events_api' | 'interactive';

/** The Socket Mode envelope as Slack sends it (platforms.md, "Socket Mode"). */
export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: unknown;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface EnvelopeInput {
  type: EnvelopeType;
  payload: unknown;
  envelopeId?: string;
  acceptsResponsePayload?: boolean;
  retryAttempt?: number;
  retryReason?: string;
}

export interface EnvelopeAck {
  envelopeId: string;
  /** The `payload` of the ack (what `ack({...})` passed), or undefined when the client sent none. */
  payload: unknown;
  /** From writing the envelope to reading its ack, in milliseconds (performance.now clock). */
  ackMs: number;
  /** Which connection (1-based, in order of opening) carried the delivery. */
  connectionId: number;
  /** 1 for the first delivery of this envelope_id, 2 for the first redelivery, … */
  delivery: number;
}

export interface DeliveryRecord {
  envelope: Envelope;
  connectionId: number;
  delivery: number;
  sentAt: number;
  ack?: EnvelopeAck;
}

export interface DeliveryOptions {
  /** Reject when no ack arrives (or no connection is ready) within this many ms. */
  timeoutMs?: number;
}

const ackSchema = z.object({ envelope_id: z.string().min(1), payload: z.unknown().optional() });

interface Connection {
  id: number;
  socket: WebSocket;
  ready: boolean;
  pingTimer?: NodeJS.Timeout;
}

interface AckWaiter {
  record: DeliveryRecord;
  resolve: (ack: EnvelopeAck) => void;
  reject: (error: Error) => void;
}

/**
 * The Socket Mode side of the fake: single-use `ticket` URLs handed out by apps.connections.open, a `hello`
 * on connect, envelopes out, acks in. It shares the Web API server's port (WebSocket upgrade on /link/).
 */
export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly connections: Connection[] = [];
  private readonly ackWaiters = new Map<string, AckWaiter[]>();
  private readonly envelopes = new Map<string, Envelope>();
  private readonly events = new EventEmitter();
  private readonly deliveryLog: DeliveryRecord[] = [];
  private connectionCount = 0;
  private closed = false;

  constructor(
    private readonly settings: { appId: string; pingIntervalMs: number; defaultTimeoutMs: number },
  ) {
    this.events.setMaxListeners(0);
  }

  /** A new URL for apps.connections.open; `wsBase` is `ws://127.0.0.1:PORT/`. */
  issueUrl(wsBase: string): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${wsBase}link/?ticket=${ticket}&app_id=${this.settings.appId}`;
  }

  /** Handles an HTTP upgrade on /link/; refuses unknown or reused tickets like Slack does. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (this.closed || url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  private accept(socket: WebSocket): void {
    this.connectionCount += 1;
    const connection: Connection = { id: this.connectionCount, socket, ready: false };
    this.connections.push(connection);
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.forget(connection));
    socket.on('error', () => this.forget(connection));
    const hello = {
      type: 'hello',
      num_connections: this.openConnections().length + 1,
      debug_info: {
        host: `applink-fake-${connection.id}`,
        build_number: 1,
        approximate_connection_time: 18060,
      },
      connection_info: { app_id: this.settings.appId },
    };
    socket.send(JSON.stringify(hello), () => {
      connection.ready = true;
      this.events.emit('ready', connection);
    });
    if (this.settings.pingIntervalMs > 0) {
      connection.pingTimer = setInterval(
        () => socket.ping(`ping-${Date.now()}`),
        this.settings.pingIntervalMs,
      );
    }
  }

  private forget(connection: Connection): void {
    clearInterval(connection.pingTimer);
    connection.ready = false;
    const index = this.connections.indexOf(connection);
    if (index !== -1) this.connections.splice(index, 1);
    this.events.emit('closed', connection);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let parsed: z.infer<typeof ackSchema>;
    try {
      const result = ackSchema.safeParse(JSON.parse(data.toString()));
      if (!result.success) return;
      parsed = result.data;
    } catch {
      return;
    }
    const waiter = this.ackWaiters.get(parsed.envelope_id)?.shift();
    if (waiter === undefined) return;
    const { record } = waiter;
    const ack: EnvelopeAck = {
      envelopeId: parsed.envelope_id,
      payload: parsed.payload,
      ackMs: performance.now() - record.sentAt,
      connectionId: record.connectionId,
      delivery: record.delivery,
    };
    record.ack = ack;
    waiter.resolve(ack);
  }

  /** Open connections that have received their hello, oldest first. */
  openConnections(): number[] {
    return this.connections.filter((c) => c.ready).map((c) => c.id);
  }

  /** How many WebSocket connections have ever been accepted (a reconnect makes it grow). */
  get totalConnections(): number {
    return this.connectionCount;
  }

  /** Resolves once `count` connections have ever been accepted and the newest has its hello. */
  async waitForConnection(count = 1, timeoutMs = this.settings.defaultTimeoutMs): Promise<number> {
    const ready = () => {
      const newest = this.connections.at(-1);
      return this.connectionCount >= count && newest?.ready === true && newest.id >= count
        ? newest
        : undefined;
    };
    const found = ready();
    if (found !== undefined) return found.id;
    return new Promise((resolve, reject) => {
      const onReady = () => {
        const connection = ready();
        if (connection === undefined) return;
        cleanup();
        resolve(connection.id);
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off('ready', onReady);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Socket Mode connection #${count} not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on('ready', onReady);
    });
  }

  /** Resolves once no connection is open (after `app.stop()`, whose disconnect Bolt does not await). */
  async waitForNoConnections(timeoutMs = this.settings.defaultTimeoutMs): Promise<void> {
    if (this.connections.length === 0) return;
    await new Promise<void>((resolve, reject) => {
      const onClosed = () => {
        if (this.connections.length > 0) return;
        clearTimeout(timer);
        this.events.off('closed', onClosed);
        resolve();
      };
      const timer = setTimeout(() => {
        this.events.off('closed', onClosed);
        reject(
          new Error(`${this.connections.length} Socket Mode connection(s) still open after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.events.on('closed', onClosed);
    });
  }

  /** Every delivery so far (first deliveries and redeliveries), in order. */
  deliveries(): DeliveryRecord[] {
    return [...this.deliveryLog];
  }

  /**
   * Sends an envelope on the newest ready connection (waiting for one if needed, e.g. during a reconnect) and
   * resolves with the ack.
   */
  async send(input: EnvelopeInput, options: DeliveryOptions = {}): Promise<EnvelopeAck> {
    const envelope: Envelope = {
      envelope_id: input.envelopeId ?? randomUUID(),
      type: input.type,
      payload: input.payload,
      accepts_response_payload: input.acceptsResponsePayload ?? input.type === 'slash_commands',
      ...(input.type === 'events_api' || input.retryAttempt !== undefined
        ? { retry_attempt: input.retryAttempt ?? 0, retry_reason: input.retryReason ?? '' }
        : {}),
    };
    this.envelopes.set(envelope.envelope_id, envelope);
    return this.deliver(envelope, options);
  }

  /** A slash command envelope (`accepts_response_payload: true`: the ack may carry the reply). */
  sendSlashCommand(payload: unknown, options?: DeliveryOptions): Promise<EnvelopeAck> {
    return this.send({ type: 'slash_commands', payload }, options);
  }

  /** An events_api envelope (`retry_attempt: 0`, `retry_reason: ''` on first delivery). */
  sendEvent(payload: unknown, options?: DeliveryOptions): Promise<EnvelopeAck> {
    return this.send({ type: 'events_api', payload }, options);
  }

  /**
   * An interactive envelope. Only view_submission and block_suggestion accept a response payload (errors,
   * response_action, options); for clicks and shortcuts the ack is empty.
   */
  sendInteractive(payload: unknown, options?: DeliveryOptions): Promise<EnvelopeAck> {
    const type = (payload as { type?: unknown } | null)?.type;
    const acceptsResponsePayload = type === 'view_submission' || type === 'block_suggestion';
    return this.send({ type: 'interactive', payload, acceptsResponsePayload }, options);
  }

  /**
   * Delivers an envelope already sent once, with the same envelope_id and payload, as Slack does when an ack
   * was late or lost (`retry_attempt` 1, `retry_reason` 'timeout' by default).
   */
  redeliver(
    envelopeId: string,
    options: DeliveryOptions & { retryAttempt?: number; retryReason?: string } = {},
  ): Promise<EnvelopeAck> {
    const original = this.envelopes.get(envelopeId);
    if (original === undefined) return Promise.reject(new Error(`No envelope ${envelopeId} was sent`));
    const previous = this.deliveryLog.filter((d) => d.envelope.envelope_id === envelopeId).length;
    return this.deliver(
      {
        ...original,
        retry_attempt: options.retryAttempt ?? previous,
        retry_reason: options.retryReason ?? 'timeout',
      },
      options,
    );
  }

  private async deliver(envelope: Envelope, options: DeliveryOptions): Promise<EnvelopeAck> {
    const timeoutMs = options.timeoutMs ?? this.settings.defaultTimeoutMs;
    const started = performance.now();
    const connectionId = await this.waitForConnection(1, timeoutMs);
    const connection = this.connections.find((c) => c.id === connectionId);
    if (connection === undefined) throw new Error('Socket Mode connection vanished before delivery');
    const record: DeliveryRecord = {
      envelope,
      connectionId,
      delivery: this.deliveryLog.filter((d) => d.envelope.envelope_id === envelope.envelope_id).length + 1,
      sentAt: performance.now(),
    };
    this.deliveryLog.push(record);
    const remaining = Math.max(1, timeoutMs - (performance.now() - started));
    return new Promise((resolve, reject) => {
      const waiters = this.ackWaiters.get(envelope.envelope_id) ?? [];
      this.ackWaiters.set(envelope.envelope_id, waiters);
      const timer = setTimeout(() => {
        const index = waiters.indexOf(waiter);
        if (index !== -1) waiters.splice(index, 1);
        reject(
          new Error(`Envelope ${envelope.envelope_id} (${envelope.type}) not acked within ${timeoutMs} ms`),
        );
      }, remaining);
      const waiter: AckWaiter = {
        record,
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      waiters.push(waiter);
      connection.socket.send(JSON.stringify(envelope));
    });
  }

  /** Sends `{type:'disconnect', reason}` on every open connection; the client is expected to reconnect. */
  requestDisconnect(reason = 'refresh_requested'): number {
    const open = this.connections.filter((c) => c.ready);
    for (const connection of open) {
      connection.socket.send(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: `applink-fake-${connection.id}` } }),
      );
    }
    return open.length;
  }

  /** Kills every connection without a close handshake (network loss, pod crash). */
  dropConnections(): number {
    const open = [...this.connections];
    for (const connection of open) connection.socket.terminate();
    return open.length;
  }

  close(): void {
    this.closed = true;
    this.dropConnections();
    this.wss.close();
    for (const waiters of this.ackWaiters.values()) {
      for (const waiter of waiters.splice(0))
        waiter.reject(new Error('Fake Slack closed before the ack arrived'));
    }
    this.ackWaiters.clear();
    this.events.removeAllListeners();
  }
}
