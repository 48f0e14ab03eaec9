import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { ChangeSignal } from './change-signal.js';
import type { World } from './world.js';

/** https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-opcodes */
export const GatewayOp = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

/** Gateway intents that gate the events the fake dispatches. https://discord.com/developers/docs/events/gateway#gateway-intents */
export const Intent = { Guilds: 1 << 0, GuildMessages: 1 << 9, GuildMessageReactions: 1 << 10 } as const;

function intentFor(t: string): number | null {
  if (/^(GUILD_(CREATE|UPDATE|DELETE|ROLE_.+)|CHANNEL_.+|THREAD_.+)$/.test(t)) return Intent.Guilds;
  if (/^MESSAGE_(CREATE|UPDATE|DELETE|DELETE_BULK)$/.test(t)) return Intent.GuildMessages;
  if (t.startsWith('MESSAGE_REACTION_')) return Intent.GuildMessageReactions;
  return null;
}

const FrameSchema = z.looseObject({ op: z.number().int(), d: z.unknown() });
const IdentifySchema = z.looseObject({
  token: z.string(),
  intents: z.number().int(),
  properties: z.looseObject({}),
  shard: z.tuple([z.number(), z.number()]).optional(),
  compress: z.boolean().optional(),
});
const ResumeSchema = z.looseObject({
  token: z.string(),
  session_id: z.string(),
  seq: z.number().int().nullable(),
});

export interface DispatchFrame {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

export interface GatewaySession {
  id: string;
  seq: number;
  intents: number;
  identify: Record<string, unknown>;
  /** Every dispatch of this session, kept for RESUME replay. */
  sent: DispatchFrame[];
  /** Dispatches skipped because the session lacks the intent. */
  filtered: Array<{ t: string; missingIntent: number }>;
  socket: WebSocket | null;
  resumes: number;
  /** Replayed dispatch count of the last resume. */
  lastReplayCount: number;
  /** Closed with 1000/1001 by the client: Discord then drops the session. */
  invalidated: boolean;
}

export interface GatewayConnection {
  path: string;
  query: Record<string, string>;
  openedAtMs: number;
  kind: 'pending' | 'identify' | 'resume' | 'rejected-resume';
  sessionId: string | null;
  closeCode: number | null;
  /** Non-dispatch frames the client sent, in order (op and d), heartbeats excluded. */
  received: Array<{ op: number; d: unknown }>;
  heartbeats: number;
}

export interface ReconnectOptions {
  /** 'reconnect-op': send op 7 (the client closes with 4200 and resumes). 'close': the server closes. */
  mode?: 'reconnect-op' | 'close';
  /** Close code for mode 'close'; 4000 (unknown error) is resumable. */
  closeCode?: number;
  timeoutMs?: number;
}

export interface ReconnectOutcome {
  sessionId: string;
  replayed: number;
}

export class GatewayServer {
  readonly sessions: GatewaySession[] = [];
  readonly connections: GatewayConnection[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();

  constructor(
    private readonly deps: {
      token: string;
      applicationId: string;
      world: World;
      heartbeatIntervalMs: number;
      signal: ChangeSignal;
      elapsedMs: () => number;
      origin: () => string;
    },
  ) {}

  /** URL returned by GET /gateway/bot; @discordjs/ws appends `?v=10&encoding=json`. */
  url(): string {
    return `${this.deps.origin().replace(/^http/, 'ws')}/gateway`;
  }

  private resumeUrl(): string {
    return `${this.url()}/resume`;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname !== '/gateway' && url.pathname !== '/gateway/resume') {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url));
  }

  private onConnection(ws: WebSocket, url: URL): void {
    this.sockets.add(ws);
    const connection: GatewayConnection = {
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      openedAtMs: this.deps.elapsedMs(),
      kind: 'pending',
      sessionId: null,
      closeCode: null,
      received: [],
      heartbeats: 0,
    };
    this.connections.push(connection);
    let session: GatewaySession | null = null;
    this.send(ws, { op: GatewayOp.Hello, d: { heartbeat_interval: this.deps.heartbeatIntervalMs } });

    ws.on('message', (raw) => {
      let frame: z.infer<typeof FrameSchema>;
      try {
        frame = FrameSchema.parse(JSON.parse(raw.toString()));
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      if (frame.op === GatewayOp.Heartbeat) {
        connection.heartbeats++;
        this.send(ws, { op: GatewayOp.HeartbeatAck });
        this.deps.signal.notify();
        return;
      }
      connection.received.push({ op: frame.op, d: frame.d });
      switch (frame.op) {
        case GatewayOp.Identify: {
          if (session) return ws.close(4005, 'Already authenticated.');
          const identify = IdentifySchema.safeParse(frame.d);
          if (!identify.success) return ws.close(4002, 'Error while decoding payload.');
          if (identify.data.token !== this.deps.token) return ws.close(4004, 'Authentication failed.');
          session = this.startSession(ws, identify.data);
          connection.kind = 'identify';
          connection.sessionId = session.id;
          break;
        }
        case GatewayOp.Resume: {
          const resume = ResumeSchema.safeParse(frame.d);
          if (!resume.success) return ws.close(4002, 'Error while decoding payload.');
          const found = this.sessions.find((s) => s.id === resume.data.session_id && !s.invalidated);
          if (!found || resume.data.token !== this.deps.token) {
            connection.kind = 'rejected-resume';
            this.send(ws, { op: GatewayOp.InvalidSession, d: false });
            break;
          }
          session = found;
          connection.kind = 'resume';
          connection.sessionId = found.id;
          this.resumeSession(ws, found, resume.data.seq ?? 0);
          break;
        }
        case GatewayOp.PresenceUpdate:
        case GatewayOp.VoiceStateUpdate:
        case GatewayOp.RequestGuildMembers:
          break;
        default:
          ws.close(4001, 'Unknown opcode.');
      }
      this.deps.signal.notify();
    });

    ws.on('close', (code) => {
      this.sockets.delete(ws);
      connection.closeCode = code;
      if (session && session.socket === ws) {
        session.socket = null;
        if (code === 1000 || code === 1001) session.invalidated = true;
      }
      this.deps.signal.notify();
    });
    ws.on('error', () => {
      // A client that vanishes mid-frame; the close handler does the bookkeeping.
    });
  }

  private startSession(ws: WebSocket, identify: z.infer<typeof IdentifySchema>): GatewaySession {
    const { world } = this.deps;
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      seq: 0,
      intents: identify.intents,
      identify,
      sent: [],
      filtered: [],
      socket: ws,
      resumes: 0,
      lastReplayCount: 0,
      invalidated: false,
    };
    this.sessions.push(session);
    this.dispatchTo(session, 'READY', {
      v: 10,
      user: { ...world.userPayload(world.bot), verified: true, mfa_enabled: false, email: null },
      user_settings: {},
      guilds: [...world.guilds.values()]
        .filter((g) => g.botMember)
        .map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.resumeUrl(),
      shard: identify.shard ?? [0, 1],
      application: { id: this.deps.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth_session_id_hash: randomBytes(8).toString('hex'),
      _trace: ['["fake-discord-gateway",{"micros":0}]'],
    });
    for (const guild of world.guilds.values()) {
      // A server without the bot sends it nothing (user installs reach it through interactions).
      if (!guild.botMember) continue;
      this.dispatchTo(session, 'GUILD_CREATE', world.guildCreatePayload(guild));
    }
    return session;
  }

  private resumeSession(ws: WebSocket, session: GatewaySession, seq: number): void {
    if (session.socket && session.socket !== ws) session.socket.close(4009, 'Session superseded.');
    session.socket = ws;
    const missed = session.sent.filter((frame) => frame.s > seq);
    for (const frame of missed) this.send(ws, frame);
    session.lastReplayCount = missed.length;
    session.resumes++;
    this.dispatchTo(session, 'RESUMED', { _trace: ['["fake-discord-gateway",{"micros":0}]'] }, false);
  }

  /** Dispatches `{op:0, t, s, d}` to every live session that has the intent; returns the `s` values used. */
  dispatch(t: string, d: unknown): number[] {
    const seqs: number[] = [];
    for (const session of this.sessions) {
      if (session.invalidated) continue;
      const seq = this.dispatchTo(session, t, d);
      if (seq !== null) seqs.push(seq);
    }
    this.deps.signal.notify();
    return seqs;
  }

  private dispatchTo(session: GatewaySession, t: string, d: unknown, replayable = true): number | null {
    const needed = intentFor(t);
    if (needed !== null && (session.intents & needed) === 0) {
      session.filtered.push({ t, missingIntent: needed });
      return null;
    }
    const frame: DispatchFrame = { op: 0, t, s: ++session.seq, d };
    if (replayable) session.sent.push(frame);
    // While the client reconnects the socket is gone: the frame waits in `sent` for RESUME.
    if (session.socket) this.send(session.socket, frame);
    return frame.s;
  }

  /**
   * Makes every connected session reconnect (op 7, or a resumable close) and resolves once each has
   * RESUMEd. @discordjs/ws waits 500 ms before reconnecting.
   */
  async forceReconnect(options: ReconnectOptions = {}): Promise<ReconnectOutcome[]> {
    const targets = this.sessions.filter((s) => s.socket && !s.invalidated);
    const before = new Map(targets.map((s) => [s.id, s.resumes]));
    for (const session of targets) {
      const socket = session.socket!;
      if (options.mode === 'close') socket.close(options.closeCode ?? 4000, 'Fake gateway: forced reconnect');
      else this.send(socket, { op: GatewayOp.Reconnect, d: null });
    }
    await this.deps.signal.waitFor(
      () => targets.every((s) => s.resumes > (before.get(s.id) ?? 0) && s.socket !== null),
      options.timeoutMs,
      'the client to RESUME',
    );
    return targets.map((s) => ({ sessionId: s.id, replayed: s.lastReplayCount }));
  }

  /** Resolves with the first session that finished IDENTIFY (READY sent). */
  waitForSession(timeoutMs?: number): Promise<GatewaySession> {
    return this.deps.signal.waitFor(
      () => this.sessions.find((s) => !s.invalidated),
      timeoutMs,
      'a gateway IDENTIFY',
    );
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
