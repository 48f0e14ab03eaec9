import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallRecorder, TokenKind } from './call-recorder.js';
import { chatMethods } from './chat-methods.js';
import { conversationMethods } from './conversation-methods.js';
import { type ServedBody, serveBehaviour } from './download-behaviours.js';
import type { FaultInjector } from './fault-injection.js';
import { fileMethods } from './file-methods.js';
import type { FileRecord } from './file-store.js';
import { homeMethods } from './home-methods.js';
import { identityMethods } from './identity-methods.js';
import type { FakeOAuth } from './oauth-methods.js';
import { extractUploadBytes, parseApiArguments, readRawBody } from './request-body.js';
import type { ResponseUrlStore } from './response-url-store.js';
import { SlackApiFailure } from './slack-api-failure.js';
import type { SocketModeServer } from './socket-mode-server.js';
import { viewMethods } from './view-methods.js';
import type { MethodHandler, WorkspaceState } from './workspace-state.js';

const methods: Record<string, MethodHandler> = {
  ...identityMethods,
  ...chatMethods,
  ...conversationMethods,
  ...fileMethods,
  ...viewMethods,
  ...homeMethods,
};

/** Methods that take the app-level token (xapp-); every other method takes the bot token. */
const appTokenMethods = new Set(['apps.connections.open']);

export interface UploadRecord {
  fileId: string;
  bytes: number;
  contentType: string;
  atMs: number;
}

export interface DownloadRecord {
  fileId: string;
  authorized: boolean;
  atMs: number;
  /** Files seeded with a `serve` behaviour: what was sent, and whether the client hung up first. */
  served?: ServedBody;
}

export interface WebApiServerDeps {
  state: WorkspaceState;
  recorder: CallRecorder;
  faults: FaultInjector;
  responseUrls: ResponseUrlStore;
  socketMode: SocketModeServer;
  uploads: UploadRecord[];
  downloads: DownloadRecord[];
  /** Several workspaces and their installs (oauth-methods.ts). */
  oauth?: FakeOAuth;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(text);
}

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim();
}

function tokenKind(token: string | undefined, state: WorkspaceState): TokenKind {
  if (token === undefined || token === '') return 'none';
  if (token === state.options.botToken) return 'bot';
  if (token === state.options.appToken) return 'app';
  return 'invalid';
}

/**
 * One HTTP server for the Web API (`/api/{method}`), upload URLs, private file downloads, response_urls and
 * the Socket Mode WebSocket upgrade, bound to 127.0.0.1 on an ephemeral port.
 */
export async function startWebApiServer(deps: WebApiServerDeps): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    route(deps, request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, { ok: false, error: 'fatal_error', detail: String(error) });
      else response.destroy();
    });
  });
  server.on('upgrade', (request, socket, head) => deps.socketMode.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

async function route(
  deps: WebApiServerDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const parts = url.pathname.split('/').filter((part) => part !== '');
  if (parts[0] === 'api' && parts.length === 2 && request.method === 'POST') {
    return handleApiCall(deps, parts[1] ?? '', request, response);
  }
  if (parts[0] === 'upload' && parts[1] === 'v1' && parts.length === 3 && request.method === 'POST') {
    return handleUpload(deps, parts[2] ?? '', request, response);
  }
  if (url.pathname === '/oauth/v2/authorize' && request.method === 'GET' && deps.oauth)
    return deps.oauth.handleAuthorize(url, response);
  if (parts[0] === 'files-pri' && request.method === 'GET')
    return handleDownload(deps, parts[1] ?? '', request, response);
  if (parts[0] === 'signin') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      '<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to your workspace</body></html>',
    );
    return;
  }
  if (parts[0] === 'commands' && parts.length === 4 && request.method === 'POST') {
    const raw = await readRawBody(request);
    let body: unknown = raw.toString('utf8');
    try {
      body = JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      // Not JSON: keep the text, the test will see what was sent.
    }
    const { status, answer } = deps.responseUrls.accept(parts[2] ?? '', body);
    return sendJson(response, status, answer);
  }
  sendText(response, 404, 'not found');
}

async function handleApiCall(
  deps: WebApiServerDeps,
  method: string,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const { recorder, faults } = deps;
  const raw = await readRawBody(request);
  let args: Record<string, unknown>;
  try {
    args = await parseApiArguments(request, raw);
  } catch {
    args = {};
  }
  const bodyToken = typeof args.token === 'string' ? args.token : undefined;
  const token = bearerToken(request) ?? bodyToken;
  // A token from an OAuth install scopes the call to its own workspace.
  const installed = deps.oauth?.stateForToken(token);
  const state = installed ?? deps.state;
  const kind: TokenKind = installed ? 'bot' : tokenKind(token, state);
  const { token: _token, ...recordedArgs } = args;
  const atMs = state.now();
  const reply = (httpStatus: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    recorder.record({ method, args: recordedArgs, tokenKind: kind, atMs, httpStatus, response: body });
    // Slack sends the token's scopes on every answer; @slack/web-api exposes them as response_metadata.scopes.
    const scopeHeader: Record<string, string> =
      kind === 'bot' ? { 'x-oauth-scopes': state.scopes.join(',') } : {};
    sendJson(response, httpStatus, body, { ...scopeHeader, ...headers });
  };

  // The code exchange authenticates with the app's client id and secret, not a token.
  if (method === 'oauth.v2.access' && deps.oauth) {
    try {
      return reply(200, deps.oauth.exchange(recordedArgs, request.headers.authorization));
    } catch (error) {
      if (error instanceof SlackApiFailure) return reply(200, { ok: false, error: error.code });
      throw error;
    }
  }
  const handler = methods[method];
  if (handler === undefined) return reply(200, { ok: false, error: 'unknown_method' });
  if (kind === 'none') return reply(200, { ok: false, error: 'not_authed' });
  if (kind === 'invalid') return reply(200, { ok: false, error: 'invalid_auth' });
  const wanted = appTokenMethods.has(method) ? 'app' : 'bot';
  if (kind !== wanted) return reply(200, { ok: false, error: 'not_allowed_token_type' });

  const fault = faults.take(method);
  if (fault?.kind === 'rate-limit') {
    return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSec) });
  }
  if (fault?.kind === 'error') return reply(200, { ok: false, error: fault.error });
  if (fault?.kind === 'unreachable') {
    recorder.record({ method, args: recordedArgs, tokenKind: kind, atMs, httpStatus: 0, response: {} });
    request.socket.destroy();
    return;
  }

  try {
    const body = await handler({ method, args: recordedArgs }, state);
    return reply(200, body);
  } catch (error) {
    if (error instanceof SlackApiFailure) return reply(200, { ok: false, error: error.code, ...error.extra });
    throw error;
  }
}

/** Step 2 of an upload: any body is accepted (raw or multipart) and must be answered 200. */
async function handleUpload(
  deps: WebApiServerDeps,
  fileId: string,
  request: IncomingMessage,
  response: ServerResponse,
) {
  // Upload URLs carry no token: the file id finds the workspace (oauth-methods.ts for the others).
  const file = deps.state.files.get(fileId) ?? deps.oauth?.uploadedFile(fileId);
  if (!deps.state.options.retainUploadBytes && file !== undefined && !isMultipart(request)) {
    // Benchmarks: count the raw body while it streams, keep nothing.
    let length = 0;
    for await (const chunk of request) length += (chunk as Buffer).length;
    return recordUpload(deps, file, length, request, response);
  }
  const raw = await readRawBody(request);
  if (file === undefined) return sendText(response, 404, 'file not found');
  const bytes = await extractUploadBytes(request, raw);
  file.bytes = bytes;
  return recordUpload(deps, file, bytes.length, request, response);
}

function isMultipart(request: IncomingMessage): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

function recordUpload(
  deps: WebApiServerDeps,
  file: FileRecord,
  length: number,
  request: IncomingMessage,
  response: ServerResponse,
) {
  file.receivedLength = length;
  deps.uploads.push({
    fileId: file.id,
    bytes: length,
    contentType: request.headers['content-type'] ?? '',
    atMs: deps.state.now(),
  });
  sendText(response, 200, `OK - ${length}`);
}

/**
 * `url_private(_download)`: the bytes with the bot token; without it Slack does not answer 401 but redirects
 * to a sign-in page (HTTP 200, text/html), so a bot that forgets the header "downloads" HTML. The fake does
 * the same, to catch that bug.
 */
async function handleDownload(
  deps: WebApiServerDeps,
  teamAndFile: string,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const { state } = deps;
  const fileId = teamAndFile.slice(state.options.teamId.length + 1);
  const file = state.files.get(fileId);
  const authorized = tokenKind(bearerToken(request), state) === 'bot';
  const record: DownloadRecord = { fileId, authorized, atMs: state.now() };
  deps.downloads.push(record);
  if (!authorized) {
    response.writeHead(302, {
      location: `${state.rootUrl}signin?redir=${encodeURIComponent(request.url ?? '/')}`,
    });
    response.end();
    return;
  }
  if (file?.serve !== undefined) {
    record.served = { bytesSent: 0, abortedByClient: false };
    return serveBehaviour(file.serve, response, record.served, file.mimetype, state.now);
  }
  if (file?.bytes === undefined) return sendText(response, 404, 'file not found');
  response.writeHead(200, {
    'content-type': file.mimetype,
    'content-length': file.bytes.length,
    'content-disposition': `attachment; filename="${encodeURIComponent(file.name)}"`,
  });
  response.end(file.bytes);
}
