/**
 * The HTTP layer: request ids, injected faults, routing of the OpenAI (`/v1/videos...`) and Azure
 * (`/openai/v1/videos...`, any `?api-version=` ignored) paths, per-flavour auth, and writing replies.
 * Unknown paths answer OpenAI's 404 "Invalid URL" envelope.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { apiFailure, serverError } from './api-error.js';
import { authenticate } from './auth.js';
import { newId } from './ids.js';
import type { EmulatorFlavour } from './types.js';
import {
  createVideo,
  deleteVideo,
  downloadContent,
  type EmulatorState,
  failureReply,
  listVideos,
  type Reply,
  type RequestContext,
  remixVideo,
  retrieveVideo,
} from './video-routes.js';

const PREFIXES: readonly [string, EmulatorFlavour][] = [
  ['/openai/v1/', 'azure'],
  ['/v1/', 'openai'],
];

type Route =
  | { kind: 'create' }
  | { kind: 'list' }
  | { kind: 'retrieve'; id: string }
  | { kind: 'delete'; id: string }
  | { kind: 'content'; id: string }
  | { kind: 'remix'; id: string };

/** Paths the real API has but the emulator does not implement (OpenAI-only 2026 additions). */
const UNIMPLEMENTED = new Set(['edits', 'extensions', 'characters']);

function matchRoute(method: string, rest: string): Route | 'unimplemented' | undefined {
  let parts: string[];
  try {
    parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined; // malformed %-escape: not a route
  }
  if (parts[0] !== 'videos') return undefined;
  const [, id, action] = parts;
  if (parts.length === 1)
    return method === 'POST' ? { kind: 'create' } : method === 'GET' ? { kind: 'list' } : undefined;
  if (id && UNIMPLEMENTED.has(id)) return 'unimplemented';
  if (!id || parts.length > 3) return undefined;
  if (parts.length === 2) {
    if (method === 'GET') return { kind: 'retrieve', id };
    if (method === 'DELETE') return { kind: 'delete', id };
    return undefined;
  }
  if (action === 'content' && method === 'GET') return { kind: 'content', id };
  if (action === 'remix' && method === 'POST') return { kind: 'remix', id };
  return undefined;
}

function dispatch(state: EmulatorState, route: Route, ctx: RequestContext): Reply | Promise<Reply> {
  switch (route.kind) {
    case 'create':
      return createVideo(state, ctx);
    case 'list':
      return listVideos(state, ctx);
    case 'retrieve':
      return retrieveVideo(state, ctx, route.id);
    case 'delete':
      return deleteVideo(state, ctx, route.id);
    case 'content':
      return downloadContent(state, ctx, route.id);
    case 'remix':
      return remixVideo(state, ctx, route.id);
  }
}

async function writeReply(res: ServerResponse, reply: Reply): Promise<void> {
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.statusCode = reply.status;
  if (reply.kind === 'json') {
    const text = JSON.stringify(reply.body);
    res.setHeader('content-type', 'application/json');
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
    return;
  }
  try {
    await pipeline(reply.stream, res);
  } catch {
    // The client went away mid-download (or the override stream failed): nothing left to answer.
    res.destroy();
  }
}

/** The emulator's own control route: start or end an outage (tests, the benchmark, demos). */
const OUTAGE_PATH = '/_emulator/outage';

async function controlOutage(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
): Promise<void> {
  if (method === 'DELETE') {
    req.resume();
    state.outage = null;
    return writeReply(res, { kind: 'json', status: 200, body: { outage: null } });
  }
  if (method !== 'POST') {
    req.resume();
    return writeReply(res, failureReply(apiFailure(405, 'POST or DELETE /_emulator/outage')));
  }
  let text = '';
  for await (const chunk of req) text += String(chunk);
  let status = 503;
  try {
    const asked = text ? (JSON.parse(text) as { status?: unknown }).status : undefined;
    if (asked !== undefined) status = Number(asked);
  } catch {
    status = Number.NaN;
  }
  if (!Number.isInteger(status) || status < 400 || status > 599)
    return writeReply(res, failureReply(apiFailure(400, 'body: {"status": 400..599} (default 503)')));
  state.outage = status;
  return writeReply(res, { kind: 'json', status: 200, body: { outage: status } });
}

export interface ServerParts {
  state: EmulatorState;
  apiKey: string | undefined;
}

async function handle(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { state } = parts;
  const requestId = newId('req');
  res.setHeader('x-request-id', requestId);
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://emulator.local');
  const decision = state.faults?.next();
  if (decision && decision.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
  if (decision?.drop) {
    state.logger.debug({ requestId, method, path: url.pathname }, 'fault: dropping the connection');
    req.socket.destroy();
    return;
  }
  if (decision?.fail) {
    state.logger.debug({ requestId, method, path: url.pathname }, 'fault: injected 500');
    req.resume();
    return writeReply(res, failureReply(serverError()));
  }
  if (url.pathname === '/healthz' && method === 'GET')
    return writeReply(res, { kind: 'json', status: 200, body: { ok: true } });
  if (url.pathname === OUTAGE_PATH) return controlOutage(state, req, res, method);
  if (state.outage !== null) {
    req.resume();
    return writeReply(
      res,
      failureReply(apiFailure(state.outage, 'The service is temporarily unavailable (emulated outage).')),
    );
  }
  const prefix = PREFIXES.find(([p]) => url.pathname.startsWith(p));
  const route = prefix ? matchRoute(method, url.pathname.slice(prefix[0].length)) : undefined;
  if (!prefix || !route) {
    req.resume();
    return writeReply(res, failureReply(apiFailure(404, `Invalid URL (${method} ${url.pathname})`)));
  }
  const [, flavour] = prefix;
  const auth = authenticate(flavour, req.headers, parts.apiKey);
  if (!auth.ok) {
    req.resume();
    return writeReply(res, failureReply(auth.failure));
  }
  if (route === 'unimplemented') {
    req.resume();
    return writeReply(
      res,
      failureReply(
        apiFailure(404, `The Sora emulator does not implement ${method} ${url.pathname}.`, {
          code: 'unsupported',
        }),
      ),
    );
  }
  // Reads are the moments a client can observe a finished job: deliver its webhook now at the latest.
  state.webhooks?.sweep();
  const reply = await dispatch(state, route, { flavour, owner: auth.value, url, req });
  state.logger.debug({ requestId, method, path: url.pathname, status: reply.status }, 'request');
  await writeReply(res, reply);
  state.webhooks?.sweep();
}

export function createEmulatorServer(parts: ServerParts): Server {
  return createServer((req, res) => {
    handle(parts, req, res).catch((error: unknown) => {
      parts.state.logger.error({ err: String(error), path: req.url }, 'emulator request failed');
      if (!res.headersSent) {
        const text = JSON.stringify(serverError().body);
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      } else res.destroy();
    });
  });
}
