/**
 * PLAYGROUND_TOKEN: required once the playground answers to a name other than this machine's. A
 * request carries it as `Authorization: Bearer TOKEN` (scripts) or as a cookie, which the page gets
 * by being opened once as `/?token=TOKEN`. The cookie is HttpOnly (no script reads it) and
 * SameSite=Strict (no other site's page or form sends it). Tokens are compared through their SHA-256
 * digests with timingSafeEqual: the time taken says nothing about how much of a guess was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Thirty days: a person opens the token link once per browser, not once per visit. */
const COOKIE_MAX_AGE_S = 30 * 24 * 60 * 60;

export type TokenCheck =
  /** No token is configured, or the request carries the right one. */
  { ok: true; setCookie?: string } | { ok: false };

export class AccessToken {
  private readonly digest: Buffer;

  constructor(token: string) {
    this.digest = sha256(token);
  }

  /**
   * `pageLoad`: a GET of the page itself, the one request that may carry `?token=` (it then sets the
   * cookie, and the page removes the token from the address bar). `port` names the cookie, so two bots
   * on one machine (cookies ignore ports) keep theirs apart.
   */
  check(
    req: IncomingMessage,
    url: URL,
    options: { pageLoad: boolean; port: number; secure: boolean },
  ): TokenCheck {
    const name = cookieName(options.port);
    if (this.matches(bearer(req.headers.authorization))) return { ok: true };
    if (this.matches(cookie(req.headers.cookie, name))) return { ok: true };
    const query = options.pageLoad ? url.searchParams.get('token') : null;
    if (this.matches(query ?? undefined))
      return { ok: true, setCookie: cookieHeader(name, query!, options.secure) };
    return { ok: false };
  }

  private matches(candidate: string | undefined): boolean {
    if (candidate === undefined) return false;
    return timingSafeEqual(sha256(candidate), this.digest);
  }
}

export function cookieName(port: number): string {
  return `sora_playground_${port}`;
}

function cookieHeader(name: string, token: string, secure: boolean): string {
  return [
    `${name}=${token}`,
    'Path=/',
    `Max-Age=${COOKIE_MAX_AGE_S}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
