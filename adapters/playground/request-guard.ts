/**
 * The playground has no login: it relies on being reachable only from this machine. Two browser
 * attacks still reach 127.0.0.1 from any web page the person visits, so every playground route checks:
 * - DNS rebinding (a hostile name resolving to 127.0.0.1): the Host header must name this machine
 *   (or HOST / PUBLIC_URL), unless HOST binds every interface on purpose;
 * - cross-site writes (a hostile page POSTing a "simple" request): commands must be
 *   `application/json`, which browsers never send cross-origin without a CORS preflight we don't
 *   grant, and an Origin header, when present, must be this server's.
 */
import type { IncomingMessage } from 'node:http';
import type { Config } from '../../src/config.js';
import { type HttpServer, type RouteHandler, sendJson } from '../../src/http/http-server.js';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];
const ANY_INTERFACE = ['0.0.0.0', '::'];

export interface RequestPolicy {
  /** Host names the page may be reached by; null when any is fine (HOST=0.0.0.0 was chosen). */
  allowedHosts: ReadonlySet<string> | null;
}

export function requestPolicy(config: Pick<Config, 'HOST' | 'PUBLIC_URL'>): RequestPolicy {
  if (ANY_INTERFACE.includes(config.HOST)) return { allowedHosts: null };
  const hosts = new Set([...LOOPBACK_NAMES, config.HOST.toLowerCase()]);
  if (config.PUBLIC_URL) hosts.add(new URL(config.PUBLIC_URL).hostname.toLowerCase().replace(/^\[|\]$/g, ''));
  return { allowedHosts: hosts };
}

/** `127.0.0.1:3000` -> `127.0.0.1`, `[::1]:3000` -> `::1`. */
export function hostName(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

export type Refusal = { status: 403 | 415; code: 'forbidden' | 'unsupported_media_type'; message: string };

export function checkRequest(
  req: IncomingMessage,
  policy: RequestPolicy,
  write: boolean,
): Refusal | undefined {
  const host = req.headers.host ?? '';
  if (policy.allowedHosts && !policy.allowedHosts.has(hostName(host)))
    return {
      status: 403,
      code: 'forbidden',
      message: 'Open the playground at http://127.0.0.1 (this host name is not allowed).',
    };
  if (!write) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    return { status: 415, code: 'unsupported_media_type', message: 'Send commands as application/json.' };
  const origin = req.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, host))
    return {
      status: 403,
      code: 'forbidden',
      message: 'Commands are accepted from the playground page only.',
    };
  return undefined;
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Wraps a route: refused requests get a JSON error with a stable code and never reach `handler`. */
export function guarded(
  policy: RequestPolicy,
  handler: RouteHandler,
  options: { write?: boolean } = {},
): RouteHandler {
  return (req, res, url) => {
    const refusal = checkRequest(req, policy, options.write ?? false);
    if (refusal) {
      sendJson(res, refusal.status, { error: { code: refusal.code, message: refusal.message } });
      return;
    }
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
