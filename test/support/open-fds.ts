/**
 * Counting this process's open file descriptors (Linux: /proc/self/fd), to show that aborted
 * downloads give every socket and file back. Waits are on the count itself, never on a clock: the
 * test's own timeout bounds them.
 */
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Resolves with the count once it is at most `target` (closing sockets is asynchronous). */
export async function fdsAtMost(target: number): Promise<number> {
  let count = openFds();
  while (count > target) {
    await sleep(20);
    count = openFds();
  }
  return count;
}

/** The count once it stops falling (what earlier requests left open has closed). */
export async function settledFds(): Promise<number> {
  let count = openFds();
  for (let unchanged = 0; unchanged < 3; ) {
    await sleep(20);
    const next = openFds();
    unchanged = next >= count ? unchanged + 1 : 0;
    count = Math.min(count, next);
  }
  return count;
}

/** Starts a download, waits for the first bytes of the body, then drops the connection. */
export function abortMidBody(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
      res.once('error', () => undefined);
    });
    req.on('error', (error) => (req.destroyed ? resolve() : reject(error)));
    req.end();
  });
}
