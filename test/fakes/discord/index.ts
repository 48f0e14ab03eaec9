/**
 * A wire-level fake of Discord for tests and benchmarks of the Discord adapter, driven by the real
 * discord.js client: REST under `${apiBase}/v10`, the gateway WebSocket (JSON, no compression) with
 * RESUME, and a CDN for attachments, all on one 127.0.0.1 port. People can hold roles (guild-level
 * permissions) and channel overwrites, and get DMs from the bot (refused with 50007 for `dmsClosed`);
 * an interaction in a DM channel comes with `user` and no guild. User installs: interactions with
 * `install: 'user'` (`authorizing_integration_owners` `{"1": USER}`), in group DMs without the bot
 * (`addGroupDm`), answered through the interaction webhook, whose token `fastForward` can expire.
 * Autocomplete interactions (type 4) take type 8 answers, validated like Discord's.
 *
 *   const fake = await startFakeDiscord({ guilds: [{ attachmentSizeLimit: 1024 }] });
 *   const client = new Client({ intents, partials, rest: { api: fake.apiBase, retries: 0 } });
 *   await client.login(fake.token);
 *   const handle = fake.interactions.slashCommand({ options: { prompt: 'a cat' } });
 *   expect((await handle.callback).type).toBe(5);
 *   await client.destroy(); await fake.close();   // in this order: see close()
 *
 * Platform facts: docs/platforms.md (Discord section).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AttachmentCdn } from './cdn.js';
import { ChangeSignal } from './change-signal.js';
import { CommandStore, type RegisteredCommand } from './commands.js';
import type { FakeContext } from './context.js';
import { type ErrorFault, FaultInjector, type RateLimitFault } from './faults.js';
import { GatewayServer, type ReconnectOptions, type ReconnectOutcome } from './gateway.js';
import {
  DiscordErrors,
  DiscordHttpError,
  type ParsedBody,
  parseBody,
  readBody,
  sendJson,
  sendNoContent,
} from './http-io.js';
import { InteractionDriver } from './interaction-builders.js';
import { InteractionRegistry } from './interaction-registry.js';
import { MessageStore, type StoredMessage } from './messages.js';
import { dispatchReactionAdd, type ReactionAddInput } from './reaction-driver.js';
import { Recorder } from './recorder.js';
import { Router } from './router.js';
import { applicationRoutes } from './routes-application.js';
import { channelRoutes } from './routes-channels.js';
import { guildRoutes } from './routes-guilds.js';
import { interactionRoutes } from './routes-interactions.js';
import { createSnowflakeSource } from './snowflake.js';
import {
  type ChannelRecord,
  ChannelType,
  type FakeGuildInput,
  type FakeUserInput,
  type GuildRecord,
  type UserRecord,
  World,
} from './world.js';

export type { RegisteredCommand } from './commands.js';
export type { ErrorFault, RateLimitFault } from './faults.js';
export type { GatewayConnection, GatewaySession, ReconnectOptions, ReconnectOutcome } from './gateway.js';
export { Intent } from './gateway.js';
export type {
  AutocompleteInput,
  ButtonInput,
  InteractionHandle,
  InteractionTarget,
  MessageCommandInput,
  ModalSubmitInput,
  SeededAttachment,
  SlashCommandInput,
  SlashOptionValue,
  UserOptionValue,
} from './interaction-builders.js';
export { InteractionContext } from './interaction-builders.js';
export type { StoredMessage } from './messages.js';
export { Permission } from './permissions.js';
export type { ReactionAddInput } from './reaction-driver.js';
export type { CallbackRecord, MessageWrite, RestCall } from './recorder.js';
export type {
  ChannelRecord,
  FakeChannelInput,
  FakeGuildInput,
  FakeRoleInput,
  FakeUserInput,
} from './world.js';

export interface FakeDiscordOptions {
  /** Bot token the fake accepts (REST `Authorization: Bot <token>` and IDENTIFY). Default: random. */
  token?: string;
  applicationId?: string;
  botUser?: FakeUserInput;
  /** Humans in every guild; the first is the default actor. Default: one user `alice`. */
  users?: FakeUserInput[];
  /** Default: one guild with one text channel `general` and a 10 MiB attachment limit. */
  guilds?: FakeGuildInput[];
  /** How long interaction webhook routes accept the token (Discord: 15 min). */
  interactionTokenLifetimeMs?: number;
  /** How long the first callback may take (Discord: 3 s); later -> 404 10062 Unknown interaction. */
  interactionAckDeadlineMs?: number;
  /** How long signed CDN URLs work. Default 24 h. */
  attachmentUrlLifetimeMs?: number;
  /** Sent in HELLO. Default 41250 like Discord. */
  heartbeatIntervalMs?: number;
  /**
   * Keep the bytes of files the bot uploads (recorder `files[].bytes` and CDN). Default true; a benchmark
   * pushing many large videos sets false and keeps only sizes.
   */
  retainUploadBytes?: boolean;
  /** Clock for token lifetimes, URL expiry and timestamps. Default Date.now. */
  now?: () => number;
}

export interface FakeDiscord {
  /** Pass as `new Client({ rest: { api: apiBase, retries: 0 } })`; REST then goes to `${apiBase}/v10/...`. */
  apiBase: string;
  origin: string;
  gatewayUrl: string;
  token: string;
  applicationId: string;
  bot: UserRecord;
  /** The default human actor. */
  user: UserRecord;
  guild: GuildRecord;
  /** The default guild's first text channel. */
  channelId: string;
  world: World;
  recorder: Recorder;
  gateway: GatewayServer;
  cdn: AttachmentCdn;
  interactions: InteractionDriver;
  dispatch(t: string, d: unknown): number[];
  reactionAdd(input: ReactionAddInput): number[];
  forceReconnect(options?: ReconnectOptions): Promise<ReconnectOutcome[]>;
  seedAttachment: InteractionDriver['seedAttachment'];
  seedMessage: InteractionDriver['seedMessage'];
  message(id: string): StoredMessage | undefined;
  messagesIn(channelId: string): StoredMessage[];
  /** The bot's DM channel with a person, once the bot has opened it. */
  dmChannelOf(userId: string): ChannelRecord | undefined;
  /** Messages in the bot's DM with a person (sent or not: a refused send stores nothing). */
  dmsOf(userId: string): StoredMessage[];
  messagePayload(message: StoredMessage): Record<string, unknown>;
  channel(id: string): ChannelRecord | undefined;
  commands(scope?: 'global' | string): RegisteredCommand[];
  injectRateLimit(fault: RateLimitFault): void;
  injectError(fault: ErrorFault): void;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /**
   * Moves the fake's clock forward: interaction tokens older than their lifetime (15 min) are refused
   * from then on (401 / 50027), as are CDN URLs past their expiry; snowflakes jump forward too.
   */
  fastForward(ms: number): void;
  /** A group DM between these people, without the bot (user installs answer there through interactions). */
  addGroupDm(recipientIds: string[]): ChannelRecord;
  /**
   * Stops the servers and drops open sockets. Destroy discord.js clients first: a client that loses its
   * gateway reconnects every 500 ms against the closed port until destroyed.
   */
  close(): Promise<void>;
}

const API_PREFIX = '/api/v10';

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  // Tests move the fake's clock forward (fastForward) to expire interaction tokens without waiting.
  const baseNow = options.now ?? Date.now;
  let skewMs = 0;
  const now = () => baseNow() + skewMs;
  const startedAt = now();
  const nextId = createSnowflakeSource(now);
  const token =
    options.token ??
    `${randomBytes(18).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(27).toString('base64url')}`;
  const signal = new ChangeSignal();
  const elapsedMs = () => now() - startedAt;
  const nowIso = () => new Date(now()).toISOString();
  let origin = '';
  const world = new World(nextId, {
    botUser: options.botUser,
    users: options.users,
    guilds: options.guilds,
    nowIso,
  });
  const applicationId = options.applicationId ?? world.bot.id;
  const cdn = new AttachmentCdn(
    () => origin,
    nextId,
    now,
    options.attachmentUrlLifetimeMs ?? 24 * 3_600_000,
    options.retainUploadBytes ?? true,
  );
  const recorder = new Recorder(signal, elapsedMs);
  const gateway = new GatewayServer({
    token,
    applicationId,
    world,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    signal,
    elapsedMs,
    origin: () => origin,
  });
  const ctx: FakeContext = {
    token,
    applicationId,
    interactionTokenLifetimeMs: options.interactionTokenLifetimeMs ?? 15 * 60_000,
    interactionAckDeadlineMs: options.interactionAckDeadlineMs ?? 3_000,
    now,
    nowIso,
    elapsedMs,
    nextId,
    origin: () => origin,
    gatewayUrl: () => gateway.url(),
    world,
    messages: new MessageStore(world, cdn),
    cdn,
    recorder,
    signal,
    interactions: new InteractionRegistry(),
    commands: new CommandStore(applicationId, nextId),
    gateway,
  };
  const router = new Router();
  router.add(
    ...applicationRoutes(ctx),
    ...guildRoutes(ctx),
    ...channelRoutes(ctx),
    ...interactionRoutes(ctx),
  );
  const faults = new FaultInjector();

  const handleRest = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const raw = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    let segments: string[];
    try {
      segments = url.pathname.slice(API_PREFIX.length).split('/').slice(1).map(decodeURIComponent);
    } catch {
      sendJson(res, 400, DiscordErrors.notFound().body());
      return;
    }
    const matched = router.match(method, segments);
    let body: ParsedBody = {
      json: undefined,
      files: [],
      fields: {},
      multipart: false,
      byteLength: raw.length,
    };
    let bodyError: DiscordHttpError | null = null;
    try {
      body = await parseBody(raw, req.headers['content-type']);
    } catch {
      bodyError = new DiscordHttpError(400, 50109, 'The request body contains invalid JSON.');
    }
    const call = recorder.startCall({
      method,
      path: `/${segments.join('/')}`,
      route: matched.route ? matched.route.template : matched.template,
      params: matched.route ? matched.params : {},
      query: Object.fromEntries(url.searchParams),
      botAuth: req.headers.authorization === `Bot ${token}`,
      json: body.json,
      files: body.files,
      multipart: body.multipart,
    });
    const faulted = faults.intercept(method, call.route, call.path, res);
    if (faulted !== null) {
      recorder.finishCall(call, faulted);
      return;
    }
    let status: number;
    try {
      if (!matched.route) {
        throw matched.template
          ? new DiscordHttpError(405, 0, '405: Method Not Allowed')
          : DiscordErrors.notFound();
      }
      if (bodyError) throw bodyError;
      if (matched.route.auth === 'bot' && !call.botAuth) throw DiscordErrors.unauthorized();
      const answer = await matched.route.handle({
        req,
        params: matched.params,
        query: url.searchParams,
        body,
        call,
      });
      const lost = faults.intercept(method, call.route, call.path, res, 'after');
      if (lost !== null) status = lost;
      else {
        status = answer.status;
        if (answer.body === undefined) sendNoContent(res);
        else sendJson(res, answer.status, answer.body);
      }
    } catch (error) {
      const httpError =
        error instanceof DiscordHttpError
          ? error
          : new DiscordHttpError(500, 0, `fake discord bug: ${(error as Error).message}`);
      status = httpError.status;
      sendJson(res, httpError.status, httpError.body());
    }
    if (options.retainUploadBytes === false) {
      call.files = call.files.map((file) => ({ ...file, bytes: Buffer.alloc(0) }));
    }
    recorder.finishCall(call, status);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith(`${API_PREFIX}/`)) {
      handleRest(req, res, url).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { code: 0, message: String(error) });
      });
      return;
    }
    if (
      req.method === 'GET' &&
      cdn.serve(url.pathname, url.searchParams, res, elapsedMs(), req.headers.authorization ?? null)
    ) {
      signal.notify();
      return;
    }
    sendJson(res, 404, DiscordErrors.notFound().body());
  });
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const interactions = new InteractionDriver(ctx);
  const dmChannelOf = (userId: string) =>
    [...world.channels.values()].find((c) => c.type === ChannelType.DM && c.recipientId === userId);
  const defaultChannel = world.defaultChannelOf(world.defaultGuild.id);
  return {
    apiBase: `${origin}/api`,
    origin,
    gatewayUrl: gateway.url(),
    token,
    applicationId,
    bot: world.bot,
    user: world.defaultUser,
    guild: world.defaultGuild,
    channelId: defaultChannel.id,
    world,
    recorder,
    gateway,
    cdn,
    interactions,
    dispatch: (t, d) => gateway.dispatch(t, d),
    reactionAdd: (input) => dispatchReactionAdd(ctx, input),
    forceReconnect: (reconnect) => gateway.forceReconnect(reconnect),
    seedAttachment: (input) => interactions.seedAttachment(input),
    seedMessage: (input) => interactions.seedMessage(input),
    message: (id) => ctx.messages.get(id),
    messagesIn: (channelId) => ctx.messages.inChannel(channelId),
    dmChannelOf,
    dmsOf: (userId) => {
      const dm = dmChannelOf(userId);
      return dm ? ctx.messages.inChannel(dm.id) : [];
    },
    messagePayload: (message) => ctx.messages.payload(message),
    channel: (id) => world.channels.get(id),
    commands: (scope = 'global') => ctx.commands.list(scope),
    injectRateLimit: (fault) => faults.rateLimit(fault),
    injectError: (fault) => faults.error(fault),
    waitFor: (probe, timeoutMs) => signal.waitFor(probe, timeoutMs),
    fastForward: (ms) => {
      skewMs += ms;
    },
    addGroupDm: (recipientIds) => world.addGroupDm({ recipientIds, nowIso: nowIso() }),
    close: async () => {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
