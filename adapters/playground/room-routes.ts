/**
 * Rooms: `GET /playground/rooms` (list), `POST /playground/rooms` (create from a name), and
 * `GET /playground/rooms/:room/events`, a Server-Sent Events stream that sends the room's history
 * on every (re)connect (`history`) and then each posted or replaced message (`entry`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { sendJson } from '../../src/http/http-server.js';
import { decodePathSegment, isRoomId, slugify } from './conversation.js';
import { readJsonBody } from './json-body.js';
import type { RouteTarget } from './request-guard.js';
import type { RoomEntry, RoomHistory } from './room-history.js';
import { wireEntry } from './wire-message.js';

const EVENTS_PATH = /^\/playground\/rooms\/([^/]+)\/events$/;
/** Proxies and some browsers drop an idle stream; a comment line keeps it open. */
const KEEPALIVE_MS = 15_000;
/** How soon EventSource reconnects after the stream ends (e.g. a bot restart). */
const RECONNECT_MS = 1_000;
/** The newest messages a page gets on connect; the store keeps them all (the room after a restart). */
export const HISTORY_LIMIT = 200;

const ROOM_NAME_PROBLEM = 'Name the room with letters or digits (at most 40).';
const CreateRoomSchema = z.object({
  name: z.string().trim().min(1, ROOM_NAME_PROBLEM).max(80, ROOM_NAME_PROBLEM),
});

/** Open event streams, closed when the adapter stops. */

export class EventStreams {
  private readonly open = new Set<ServerResponse>();

  add(res: ServerResponse): void {
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
  }

  closeAll(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }
}

export function mountRoomRoutes(http: RouteTarget, history: RoomHistory, streams: EventStreams): void {
  http.route('GET', '/playground/rooms', async (_req, res) => {
    sendJson(res, 200, { rooms: (await history.rooms()).map((id) => ({ id })) });
  });

  http.route('POST', '/playground/rooms', async (req, res) => {
    const body = await readJsonBody(req, res, CreateRoomSchema, {
      maxBytes: 16 * 1024,
      tooLargeMessage: 'A room name is a few bytes of JSON.',
    });
    if (!body) return;
    const id = slugify(body.name);
    if (!isRoomId(id)) {
      sendJson(res, 400, { error: { code: 'bad_request', message: ROOM_NAME_PROBLEM } });
      return;
    }
    await history.addRoom(id);
    sendJson(res, 201, { room: { id } });
  });

  http.route('GET', EVENTS_PATH, async (req, res, url) => {
    const room = decodePathSegment(EVENTS_PATH.exec(url.pathname)?.[1]);
    if (!isRoomId(room)) {
      sendJson(res, 404, { error: { code: 'not_found', message: 'no such room' } });
      return;
    }
    await streamRoom(req, res, room, history, streams);
  });
}

async function streamRoom(
  req: IncomingMessage,
  res: ServerResponse,
  room: string,
  history: RoomHistory,
  streams: EventStreams,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
  });
  streams.add(res);
  res.write(`retry: ${RECONNECT_MS}\n\n`);
  // Subscribe before reading the history, so nothing posted meanwhile is lost (the page upserts by ref).
  const pending: RoomEntry[] = [];
  let live = false;
  const unsubscribe = history.subscribe(room, (entry) => {
    if (live) send(res, 'entry', wireEntry(entry));
    else pending.push(entry);
  });
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  const stop = () => {
    clearInterval(keepalive);
    unsubscribe();
  };
  req.once('close', stop);
  res.once('close', stop);
  try {
    const entries = await history.entries(room);
    send(res, 'history', { room, entries: entries.slice(-HISTORY_LIMIT).map(wireEntry) });
    for (const entry of pending) send(res, 'entry', wireEntry(entry));
    live = true;
  } catch (error) {
    stop();
    res.end();
    throw error;
  }
}

function send(res: ServerResponse, event: string, data: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  // JSON has no raw newlines, so one `data:` line carries it.
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
