/**
 * Which `Host` names the playground answers to. DNS rebinding gives a hostile page a name of its own
 * that resolves to this machine, and the browser then sends that name in `Host`: so the check is by
 * name, and it holds whatever address the server binds (0.0.0.0 in Docker included).
 * - `localhost`, `127.0.0.1` and `[::1]` on the server's own port (no outside name can be any of them);
 * - each PLAYGROUND_HOSTS entry (`host` matches any port, `host:port` that port only);
 * - PUBLIC_URL's host (with its port when the URL writes one).
 */
import { type Config, LOOPBACK_HOST_NAMES, parseHostPort } from '../../src/config.js';

export interface HostPattern {
  name: string;
  /** null: any port. */
  port: number | null;
  from: 'PLAYGROUND_HOSTS' | 'PUBLIC_URL';
}

export interface HostAllowList {
  /** PLAYGROUND_HOSTS and PUBLIC_URL; the loopback names are checked against the server's port. */
  readonly extra: readonly HostPattern[];
}

export type ParsedHost = { name: string; port: number | null };

export function hostAllowList(config: Pick<Config, 'PLAYGROUND_HOSTS' | 'PUBLIC_URL'>): HostAllowList {
  const extra: HostPattern[] = [];
  for (const entry of config.PLAYGROUND_HOSTS) {
    const parsed = parseHostPort(entry);
    if (parsed) extra.push({ ...parsed, from: 'PLAYGROUND_HOSTS' });
  }
  if (config.PUBLIC_URL) {
    const url = new URL(config.PUBLIC_URL);
    extra.push({ name: url.hostname, port: url.port === '' ? null : Number(url.port), from: 'PUBLIC_URL' });
  }
  return { extra };
}

/** A `Host` header (or an Origin's host) as a name and port; undefined when it is not a plain host. */
export function parseHostHeader(header: string | undefined): ParsedHost | undefined {
  if (!header || header.length > 300) return undefined;
  return parseHostPort(header.trim());
}

/** `port` is the port the request came in on (the server's own, whatever Docker maps it to outside). */
export function isAllowedHost(list: HostAllowList, host: ParsedHost, port: number): boolean {
  const given = host.port ?? 80;
  if (LOOPBACK_HOST_NAMES.includes(host.name) && given === port) return true;
  return list.extra.some((p) => p.name === host.name && (p.port === null || p.port === given));
}

/** The entries naming something other than this machine (any one of them needs PLAYGROUND_TOKEN). */
export function foreignNames(list: HostAllowList): HostPattern[] {
  return list.extra.filter((p) => !LOOPBACK_HOST_NAMES.includes(p.name));
}

/** For messages: `localhost:3000, 127.0.0.1:3000, [::1]:3000` (other names are not told to strangers). */
export function describeLoopback(port: number): string {
  return LOOPBACK_HOST_NAMES.map((name) => `${name}:${port}`).join(', ');
}
