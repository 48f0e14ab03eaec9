/**
 * The bot's one HTTP server: health, provider webhooks, signed downloads, the playground, and Slack's
 * HTTP mode all mount routes here. It binds 127.0.0.1 unless HOST says otherwise, because the
 * playground has no login.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

interface Route {
  method: string | '*';
  match: (path: string) => boolean;
  handler: RouteHandler;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Time to receive the request headers (default 10 s). */
  headersTimeoutMs?: number;
  /** Time to receive the whole request, body included (default 30 s). */
  requestTimeoutMs?: number;
  /** How often those are checked (default 5 s). */
  checkEveryMs?: number;
}

export class HttpServer {
  private readonly routes: Route[] = [];
  private readonly server: Server;
  private address: AddressInfo | undefined;

  constructor(private readonly options: HttpServerOptions) {
    // A slow sender (a few bytes a minute) must not hold a socket forever on the public routes:
    // the headers must arrive within `headersTimeoutMs` and the whole request (headers and body)
    // within `requestTimeoutMs`, checked every `checkEveryMs`. These bound receiving the request
    // only: a long response (Server-Sent Events, a video download) is not cut, and idle keep-alive
    // sockets close after Node's keepAliveTimeout.
    this.server = createServer(
      {
        headersTimeout: options.headersTimeoutMs ?? 10_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        connectionsCheckingInterval: options.checkEveryMs ?? 5_000,
      },
      (req, res) => void this.dispatch(req, res),
    );
  }

  /** `path` matches exactly; a path ending in `/*` matches the prefix. First registered wins. */
  route(method: string | '*', path: string | RegExp, handler: RouteHandler): void {
    const match =
      path instanceof RegExp
        ? (p: string) => path.test(p)
        : path.endsWith('/*')
          ? (p: string) => p.startsWith(path.slice(0, -1)) || p === path.slice(0, -2)
          : (p: string) => p === path;
    this.routes.push({ method: method.toUpperCase(), match, handler });
  }

  /** Binds HOST:PORT; a bind the person can fix (port taken, privileged, no such address) is a ListenError. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error) => reject(listenError(error, this.options.host, this.options.port)));
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
    return this.url;
  }

  get url(): string {
    if (!this.address) throw new Error('server is not listening');
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${this.address.port}`;
  }

  get nodeServer(): Server {
    return this.server;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = this.routes.find(
      (r) => (r.method === '*' || r.method === (req.method ?? 'GET')) && r.match(url.pathname),
    );
    try {
      if (!route) {
        sendJson(res, 404, {
          error: { code: 'not_found', message: `no route for ${req.method} ${url.pathname}` },
        });
        return;
      }
      await route.handler(req, res, url);
    } catch (error) {
      this.options.logger.error({ err: error, path: url.pathname }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
      else res.destroy();
    }
  }
}

/**
 * A bind that failed for a reason the person fixes in the configuration: one line naming the variable
 * and what to do (the CLI prints it and exits 2, like a ConfigError).
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly code: 'port_in_use' | 'port_not_allowed' | 'host_unavailable',
    readonly variable: 'PORT' | 'HOST',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

function listenError(error: Error, host: string, port: number): Error {
  const errno = (error as NodeJS.ErrnoException).code;
  const cause = { cause: error };
  if (errno === 'EADDRINUSE')
    return new ListenError(
      'port_in_use',
      'PORT',
      `PORT ${port} on ${host} is already in use (another sora-bot or another program): stop it, or set PORT to a free port (e.g. PORT=${port === 65_535 ? 3000 : port + 1})`,
      cause,
    );
  if (errno === 'EACCES')
    return new ListenError(
      'port_not_allowed',
      'PORT',
      `PORT ${port} needs extra privileges on this system: set PORT to 1024 or above (e.g. PORT=3000) and put a reverse proxy in front for port 80 or 443`,
      cause,
    );
  if (errno === 'EADDRNOTAVAIL' || errno === 'ENOTFOUND' || errno === 'EAI_AGAIN')
    return new ListenError(
      'host_unavailable',
      'HOST',
      `HOST ${host} is not an address of this machine: set HOST=127.0.0.1 (this machine only) or HOST=0.0.0.0 (every interface)`,
      cause,
    );
  return error;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Reads a request body up to `limit` bytes (rejects beyond it, so a client can't exhaust memory). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { code: 'body_too_large' });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
