/**
 * Every playground route goes through these checks, whatever address the server binds: a web page
 * the person visits can reach the playground's port (on 127.0.0.1, or through Docker's published
 * port), and the playground spends money.
 * - DNS rebinding (a hostile name resolving to this machine): the Host header must be on the allow
 *   list (host-allow-list.ts);
 * - cross-site requests: an Origin header, when present, must be this playground's; writes must be
 *   `application/json`, which browsers never send cross-origin without a CORS preflight we don't grant;
 * - once the playground answers to another name than this machine's, PLAYGROUND_TOKEN on every request
 *   (access-token.ts).
 * Refusals are one plain-text line: they are read by a person in a browser tab or a terminal.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Config, playgroundTokenMissing } from '../../src/config.js';
import type { HttpServer, RouteHandler } from '../../src/http/http-server.js';
import { AccessToken } from './access-token.js';
import { answerAndClose } from './body-reader.js';
import {
  describeLoopback,
  foreignNames,
  type HostAllowList,
  hostAllowList,
  isAllowedHost,
  type ParsedHost,
  parseHostHeader,
} from './host-allow-list.js';

export interface RequestPolicy {
  hosts: HostAllowList;
  /** null when every allowed name is this machine's own. */
  token: AccessToken | null;
  /** Names reached over https (PUBLIC_URL): the cookie is marked Secure there. */
  httpsNames: ReadonlySet<string>;
}

/** Throws the ConfigError of a playground that answers to other names with no PLAYGROUND_TOKEN. */
export function requestPolicy(
  config: Pick<Config, 'PLAYGROUND_HOSTS' | 'PUBLIC_URL' | 'PLAYGROUND_TOKEN'>,
): RequestPolicy {
  const hosts = hostAllowList(config);
  const foreign = foreignNames(hosts)[0];
  if (foreign && !config.PLAYGROUND_TOKEN) throw playgroundTokenMissing(foreign.name, foreign.from);
  const httpsNames = new Set<string>();
  if (config.PUBLIC_URL?.startsWith('https:')) httpsNames.add(new URL(config.PUBLIC_URL).hostname);
  return {
    hosts,
    token: config.PLAYGROUND_TOKEN ? new AccessToken(config.PLAYGROUND_TOKEN) : null,
    httpsNames,
  };
}

export type Refusal = {
  status: 401 | 403 | 415;
  message: string;
  headers?: Record<string, string>;
};
export type Admission = { setCookie?: string };

export function checkRequest(
  req: IncomingMessage,
  url: URL,
  policy: RequestPolicy,
  write: boolean,
): Refusal | Admission {
  // The port the request came in on: the server's own, whatever a container maps it to outside.
  const port = req.socket.localPort ?? 0;
  const host = parseHostHeader(req.headers.host);
  if (!host || !isAllowedHost(policy.hosts, host, port))
    return {
      status: 403,
      message:
        `This playground answers only to ${describeLoopback(port)} and the names in PLAYGROUND_HOSTS` +
        ` or PUBLIC_URL${host ? `, not ${spell(host)}` : ''}: open it by one of those, or add this name to PLAYGROUND_HOSTS on the bot.`,
    };
  const origin = req.headers.origin;
  if (origin !== undefined && !sameSite(origin, host, policy.hosts, port))
    return { status: 403, message: 'Requests are accepted from the playground page only.' };
  let admission: Admission = {};
  if (policy.token) {
    const pageLoad = req.method === 'GET' && url.pathname === '/';
    const check = policy.token.check(req, url, { pageLoad, port, secure: policy.httpsNames.has(host.name) });
    if (!check.ok)
      return {
        status: 401,
        message:
          'This playground needs its token (PLAYGROUND_TOKEN): open /?token=YOUR_TOKEN once in this browser, or send Authorization: Bearer YOUR_TOKEN.',
        headers: { 'www-authenticate': 'Bearer realm="sora-bot playground"' },
      };
    if (check.setCookie) admission = { setCookie: check.setCookie };
  }
  if (!write) return admission;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return { status: 415, message: 'Send commands as application/json.' };
  return admission;
}

function sameSite(origin: string, host: ParsedHost, hosts: HostAllowList, port: number): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (a sandboxed frame, a file: page) and anything unreadable.
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const from = parseHostHeader(url.host);
  if (!from) return false;
  // The page's own origin; or another allowed name, as when a reverse proxy rewrites Host.
  return (from.name === host.name && from.port === host.port) || isAllowedHost(hosts, from, port);
}

function spell(host: ParsedHost): string {
  return host.port === null ? host.name : `${host.name}:${host.port}`;
}

/**
 * Writes the refusal's one line. A refused write is not read: its connection is closed after the
 * answer (body-reader.ts), so an unauthenticated sender cannot keep streaming a body into the server.
 */
export function sendRefusal(
  req: IncomingMessage,
  res: ServerResponse,
  refusal: Refusal,
  write: boolean,
): void {
  const text = `${refusal.message}\n`;
  for (const [name, value] of Object.entries({ 'cache-control': 'no-store', ...refusal.headers }))
    res.setHeader(name, value);
  if (write) {
    answerAndClose(req, res, refusal.status, { type: 'text/plain; charset=utf-8', text });
    return;
  }
  res.writeHead(refusal.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** Wraps a route: refused requests get one plain line and never reach `handler`. */
export function guarded(
  policy: RequestPolicy,
  handler: RouteHandler,
  options: { write?: boolean } = {},
): RouteHandler {
  return (req, res, url) => {
    const write = options.write ?? false;
    const outcome = checkRequest(req, url, policy, write);
    if ('status' in outcome) {
      sendRefusal(req, res, outcome, write);
      return;
    }
    if (outcome.setCookie) res.setHeader('set-cookie', outcome.setCookie);
    return handler(req, res, url);
  };
}

export type RouteTarget = Pick<HttpServer, 'route'>;

/** The server's `route`, with every playground route behind the checks above (POST ones as writes). */
export function guardedRoutes(http: RouteTarget, policy: RequestPolicy): RouteTarget {
  return {
    route: (method, path, handler) =>
      http.route(method, path, guarded(policy, handler, { write: method !== 'GET' && method !== 'HEAD' })),
  };
}
