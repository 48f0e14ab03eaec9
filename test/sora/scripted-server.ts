/**
 * A tiny scripted HTTP server for the client's wire tests (faked only at the wire): it records every
 * request and answers request n with handlers[n] (the last one repeats). Call closeScriptedServers in
 * an afterEach.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Video } from '../../src/sora/video.js';

export type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

export interface Scripted {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[];
  close(): Promise<void>;
}

const servers: Server[] = [];

export function closeScriptedServers(): void {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
}

/** Answers request n with handlers[n] (the last one repeats). */
export async function scriptedServer(handlers: Handler[]): Promise<Scripted> {
  const requests: Scripted['requests'] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const handler = handlers[Math.min(requests.length - 1, handlers.length - 1)]!;
    handler(req, body, res);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const VIDEO: Video = {
  id: 'video_1',
  object: 'video',
  model: 'sora-2',
  status: 'queued',
  progress: 0,
  created_at: 1_700_000_000,
  completed_at: null,
  expires_at: null,
  prompt: 'a fox',
  size: '720x1280',
  seconds: '4',
  remixed_from_video_id: null,
  error: null,
};

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, _body, res) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': `req_${status}`,
      ...headers,
    });
    res.end(JSON.stringify(body));
  };
export const apiError = (status: number, message: string, headers: Record<string, string> = {}) =>
  json(status, { error: { message, type: 'error', param: null, code: null } }, headers);
export const hangUp: Handler = (req) => req.socket.destroy();
