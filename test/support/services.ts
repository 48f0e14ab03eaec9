/**
 * The outside programs some tests need, where to find them, and what happens without them:
 * - `TEST_REDIS_URL` (default redis://127.0.0.1:6379): a Redis for the Redis store's tests;
 * - `CHROMIUM_PATH` (default /usr/bin/chromium): a Chromium for the playground's browser tests;
 * - `redis-server` on PATH: tests that start and stop a private Redis.
 * Outside CI a test file that lacks one skips those tests, and says why in a skipped test's title and
 * a warning. Under `CI=true` a missing service fails the file instead: a CI run must not pass by
 * skipping what it was meant to check.
 */
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { it } from 'vitest';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';

const IN_CI = ['1', 'true'].includes((process.env.CI ?? '').toLowerCase());

export interface Service {
  name: string;
  /** Why it cannot be used, with what to set; undefined when it can. */
  missing: string | undefined;
}

/**
 * True when the tests needing `service` must be skipped (outside CI); registers a skipped test whose
 * title gives the reason, so the run's output shows it. Under CI a missing service throws.
 */
export function skipWithout(service: Service): boolean {
  if (service.missing === undefined) return false;
  const reason = `${service.name} not available: ${service.missing}`;
  if (IN_CI) throw new Error(`${reason} (CI=true: a missing service fails the run instead of skipping)`);
  console.warn(`skipping the tests that need ${reason}`);
  it.skip(`needs ${reason}`, () => {});
  return true;
}

/** Answers whether a Redis answers PING at `url` (the connection is closed right after). */
function probeRedis(url: string): Promise<Service> {
  const name = `Redis at TEST_REDIS_URL=${url}`;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ name, missing: 'not a redis:// URL; set TEST_REDIS_URL' });
  }
  return new Promise((resolve) => {
    const socket = connect({ host: target.hostname || '127.0.0.1', port: Number(target.port || 6379) });
    // A closed port answers at once; this bounds only a host that never answers.
    socket.setTimeout(5_000);
    const done = (missing: string | undefined) => {
      socket.destroy();
      resolve({ name, missing });
    };
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) =>
      // -NOAUTH: a Redis that wants a password, which the URL may carry.
      done(/^(\+PONG|-NOAUTH)/.test(data.toString()) ? undefined : 'it did not answer PING like a Redis'),
    );
    socket.once('timeout', () => done('no answer; start Redis or set TEST_REDIS_URL'));
    socket.once('error', (error) =>
      done(`${(error as NodeJS.ErrnoException).code ?? error.message}; start Redis or set TEST_REDIS_URL`),
    );
  });
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const redis: Service = await probeRedis(TEST_REDIS_URL);

export const chromium: Service = {
  name: `Chromium at CHROMIUM_PATH=${CHROMIUM_PATH}`,
  missing: executable(CHROMIUM_PATH)
    ? undefined
    : 'no executable there; install chromium or set CHROMIUM_PATH',
};

export const redisServer: Service = {
  name: 'redis-server',
  missing: (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir && executable(join(dir, 'redis-server')))
    ? undefined
    : 'not on PATH; install Redis (apt install redis-server)',
};
