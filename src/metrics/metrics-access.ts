/**
 * Who may read /metrics. The series say how busy the bot is, what it spends and which requests fail:
 * nothing secret, but not for the whole internet either. So:
 * - on a loopback bind (HOST=127.0.0.1, the default) the route is open, or needs METRICS_TOKEN if set;
 * - on any other bind it is off unless METRICS_TOKEN is set (then every scrape must send
 *   `Authorization: Bearer TOKEN`) or METRICS=on says to serve it open (a private network);
 * - METRICS=off turns it off everywhere.
 */
import type { Config } from '../config.js';

export type MetricsAccess =
  | { mode: 'open' }
  | { mode: 'token'; token: string }
  /** `reason`: the one sentence a request to /metrics gets, with what to set. */
  | { mode: 'off'; reason: string };

export function metricsAccess(config: Pick<Config, 'HOST' | 'METRICS' | 'METRICS_TOKEN'>): MetricsAccess {
  if (config.METRICS === false)
    return { mode: 'off', reason: 'metrics are off (METRICS=off); unset METRICS to serve them' };
  if (config.METRICS_TOKEN) return { mode: 'token', token: config.METRICS_TOKEN };
  if (config.METRICS === true || isLoopbackHost(config.HOST)) return { mode: 'open' };
  return {
    mode: 'off',
    reason: `metrics are off because HOST=${config.HOST} is reachable from other machines: set METRICS_TOKEN (Prometheus sends it as a bearer token), or METRICS=on to serve them without one`,
  };
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}
