/**
 * A wire-level fake Slack for end-to-end tests and benchmarks of the Slack adapter: a real HTTP server
 * (Web API, upload URLs, private file downloads, response_urls) and a real Socket Mode WebSocket server on
 * one 127.0.0.1 ephemeral port, a signer for HTTP mode, a recorder and payload builders.
 *
 *   const fake = await startFakeSlack();
 *   const app = new App({ token: fake.options.botToken, appToken: fake.options.appToken, socketMode: true,
 *     clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } } });
 *   await app.start();                                      // auth.test + apps.connections.open + hello
 *   const ack = await fake.socket.sendSlashCommand(fake.payloads.slashCommand({ text: 'a cat' }));
 *   const post = await fake.waitForCall('chat.postMessage');
 *   await app.stop(); await fake.socket.waitForNoConnections(); await fake.close();
 *
 * Platform facts: docs/platforms.md (Slack). Proven against the real Bolt in
 * test/fakes/slack.test.ts and test/fakes/slack/web-api.test.ts.
 */
import type { Server } from 'node:http';
import { type CallPredicate, CallRecorder, type RecordedCall } from './call-recorder.js';
import { ConversationStore, type SeedMessageInput, type StoredMessage } from './conversation-store.js';
import type { DownloadBehaviour } from './download-behaviours.js';
import { FaultInjector } from './fault-injection.js';
import { FileStore } from './file-store.js';
import { type HomeStore, homeStoreOf } from './home-methods.js';
import { HomePayloads } from './home-payloads.js';
import { HttpModeDriver } from './http-mode-driver.js';
import { FakeOAuth, type FakeOAuthOptions } from './oauth-methods.js';
import {
  type ChannelConfig,
  type FakeSlackOptions,
  fakeSlackOptionsSchema,
  type ResolvedFakeSlackOptions,
  type UploadPolicy,
  type UserConfig,
  uploadPolicyConfigSchema,
} from './options.js';
import { PayloadBuilders } from './payload-builders.js';
import { ResponseUrlStore } from './response-url-store.js';
import { createSlackIdFactory } from './slack-ids.js';
import { SocketModeServer } from './socket-mode-server.js';
import { ViewStore } from './view-store.js';
import { type DownloadRecord, startWebApiServer, type UploadRecord } from './web-api-server.js';
import type { WorkspaceState } from './workspace-state.js';

export type { CallPredicate, RecordedCall } from './call-recorder.js';
export type { EphemeralMessage, StoredMessage } from './conversation-store.js';
export type { DownloadBehaviour, ServedBody } from './download-behaviours.js';
export type { PublishedHome } from './home-methods.js';
export { HomePayloads } from './home-payloads.js';
export type { SignedRequestOptions, SignedResponse } from './http-mode-driver.js';
export { signSlackRequest } from './http-mode-driver.js';
export type { FakeOAuth, FakeOAuthOptions, FakeTeam, FakeTeamConfig } from './oauth-methods.js';
export type { FakeSlackOptions, ResolvedFakeSlackOptions } from './options.js';
export { PayloadBuilders } from './payload-builders.js';
export type { DeliveryRecord, Envelope, EnvelopeAck } from './socket-mode-server.js';
export type { DownloadRecord } from './web-api-server.js';

export interface SeedFileInput {
  name: string;
  bytes: Buffer;
  mimetype?: string;
  /** Who uploaded it; defaults to the first human user. */
  user?: string;
  title?: string;
  /** An external file: `is_external: true`, `url_private` at this URL (no bytes on Slack). */
  external?: { url: string; type?: string };
  /** How its private URL answers instead of serving `bytes` (redirect, endless body, stall). */
  serve?: DownloadBehaviour;
}

/** Test-side access to the fake workspace: seed it, reconfigure it, read what the bot did to it. */
export interface FakeWorkspace {
  addChannel(config: ChannelConfig): void;
  setBotMembership(channelId: string, botIsMember: boolean): void;
  addUser(config: UserConfig): void;
  /** A message from a person (to react to, shortcut on, or find in a thread). */
  seedMessage(input: SeedMessageInput): StoredMessage;
  /** A file a person uploaded; returns the Slack file object (url_private_download works with the bot token). */
  seedFile(input: SeedFileInput): Record<string, unknown>;
  setUploadPolicy(policy: Partial<UploadPolicy>): void;
  /** Replaces the bot token's scopes (missing ones make methods answer `missing_scope`). */
  setScopes(scopes: string[]): void;
  /** Every message of a channel, oldest first, replies included. */
  messages(channelId: string): StoredMessage[];
  /** Parent then replies. */
  thread(channelId: string, threadTs: string): StoredMessage[];
  message(channelId: string, ts: string): StoredMessage | undefined;
  ephemerals(channelId?: string): ReturnType<ConversationStore['ephemerals']>;
  views(): Record<string, unknown>[];
  /** The Slack file object of any file (seeded or uploaded), or undefined. */
  file(fileId: string): Record<string, unknown> | undefined;
  /** Bytes received at a file's upload URL (step 2), or undefined. */
  uploadedBytes(fileId: string): Buffer | undefined;
  /** Every POST to an upload URL / GET of a private file URL, in order. */
  uploads(): UploadRecord[];
  downloads(): DownloadRecord[];
  /** Posts received by response_urls (all, or those of one URL). */
  responseUrlPosts(url?: string): ReturnType<ResponseUrlStore['posts']>;
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/`: pass as `clientOptions.slackApiUrl`. */
  apiUrl: string;
  /** `http://127.0.0.1:PORT/`. */
  rootUrl: string;
  options: ResolvedFakeSlackOptions;
  recorder: CallRecorder;
  calls(method?: string): RecordedCall[];
  waitForCall(method: string, predicate?: CallPredicate, timeoutMs?: number): Promise<RecordedCall>;
  faults: FaultInjector;
  socket: SocketModeServer;
  http: HttpModeDriver;
  payloads: PayloadBuilders;
  workspace: FakeWorkspace;
  /** OAuth installs: more workspaces, the authorize page, oauth.v2.access, revoking (oauth-methods.ts). */
  oauth: FakeOAuth;
  /** The App Home and the bot's DMs: published Home views per user, and their inbound payloads. */
  home: { views: HomeStore; payloads: HomePayloads };
  close(): Promise<void>;
}

export type StartFakeSlackOptions = FakeSlackOptions & {
  /** Clock for message ts, trigger expiry and record times (ms since epoch). Defaults to Date.now. */
  now?: () => number;
  /** The app's client credentials and Redirect URLs for OAuth installs. */
  oauth?: FakeOAuthOptions;
};

/** Starts the fake Slack on 127.0.0.1 (one ephemeral port for HTTP and WebSocket). */
export async function startFakeSlack(input: StartFakeSlackOptions = {}): Promise<FakeSlack> {
  const { now = Date.now, oauth: oauthOptions, ...rest } = input;
  const options = fakeSlackOptionsSchema.parse(rest);
  const ids = createSlackIdFactory(now);
  const identity = {
    teamId: options.teamId,
    botUserId: options.botUserId,
    botId: options.botId,
    appId: options.appId,
  };
  const botUser = {
    id: options.botUserId,
    name: options.botName,
    isAdmin: false,
    isOwner: false,
    isPrimaryOwner: false,
    isBot: true,
    deleted: false,
  };
  const conversations = new ConversationStore(ids, identity, options.channels, [...options.users, botUser]);
  const timers = new Set<NodeJS.Timeout>();
  const socketMode = new SocketModeServer({
    appId: options.appId,
    pingIntervalMs: options.socketPingIntervalMs,
    defaultTimeoutMs: options.ackTimeoutMs,
  });
  let rootUrl = '';
  const state: WorkspaceState = {
    options,
    ids,
    now,
    conversations,
    files: new FileStore(ids, now, options.teamId),
    views: new ViewStore(ids, now, identity, options.triggerTtlMs),
    scopes: [...options.scopes],
    uploads: { ...options.uploads },
    get rootUrl() {
      return rootUrl;
    },
    issueSocketUrl: () => socketMode.issueUrl(rootUrl.replace(/^http/, 'ws')),
    schedule: (delayMs, task) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        task();
      }, delayMs);
      timers.add(timer);
    },
  };
  const recorder = new CallRecorder();
  const faults = new FaultInjector();
  const responseUrls = new ResponseUrlStore(ids, now, options.responseUrlMaxUses);
  const uploads: UploadRecord[] = [];
  const downloads: DownloadRecord[] = [];
  const oauth = new FakeOAuth(state, responseUrls, oauthOptions);
  const { server, port } = await startWebApiServer({
    oauth,
    state,
    recorder,
    faults,
    responseUrls,
    socketMode,
    uploads,
    downloads,
  });
  rootUrl = `http://127.0.0.1:${port}/`;

  const workspace: FakeWorkspace = {
    addChannel: (config) => void conversations.addChannel(config),
    setBotMembership: (channelId, member) => conversations.setBotMembership(channelId, member),
    addUser: (config) => void conversations.addUser(config),
    seedMessage: (message) => conversations.seed(message),
    seedFile: (file) => {
      const user = file.user ?? options.users.find((u) => !u.isBot)?.id ?? options.botUserId;
      const record = state.files.create({
        name: file.name,
        user,
        ...(file.title === undefined ? {} : { title: file.title }),
        ...(file.mimetype === undefined ? {} : { mimetype: file.mimetype }),
      });
      record.bytes = file.bytes;
      record.receivedLength = file.bytes.length;
      record.completed = true;
      if (file.external) record.external = { url: file.external.url, type: file.external.type ?? 'gdrive' };
      if (file.serve) record.serve = file.serve;
      return state.files.toApiObject(record, rootUrl);
    },
    setUploadPolicy: (policy) => {
      state.uploads = uploadPolicyConfigSchema.parse({ ...state.uploads, ...policy });
    },
    setScopes: (scopes) => {
      state.scopes = [...scopes];
    },
    messages: (channelId) => conversations.all(channelId),
    thread: (channelId, threadTs) => conversations.thread(channelId, threadTs),
    message: (channelId, ts) => conversations.find(channelId, ts),
    ephemerals: (channelId) => conversations.ephemerals(channelId),
    views: () => state.views.all(),
    file: (fileId) => {
      const file = state.files.get(fileId);
      return file === undefined ? undefined : state.files.toApiObject(file, rootUrl);
    },
    uploadedBytes: (fileId) => state.files.get(fileId)?.bytes,
    uploads: () => [...uploads],
    downloads: () => [...downloads],
    responseUrlPosts: (url) => responseUrls.posts(url),
  };

  return {
    apiUrl: `${rootUrl}api/`,
    rootUrl,
    options,
    recorder,
    calls: (method) => recorder.calls(method),
    waitForCall: (method, predicate, timeoutMs) => recorder.waitForCall(method, predicate, timeoutMs),
    faults,
    socket: socketMode,
    http: new HttpModeDriver(options.signingSecret),
    payloads: new PayloadBuilders(state, responseUrls),
    workspace,
    oauth,
    home: { views: homeStoreOf(state), payloads: new HomePayloads(state) },
    close: () => closeAll(server, socketMode, timers),
  };
}

async function closeAll(
  server: Server,
  socketMode: SocketModeServer,
  timers: Set<NodeJS.Timeout>,
): Promise<void> {
  for (const timer of timers) clearTimeout(timer);
  timers.clear();
  socketMode.close();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
