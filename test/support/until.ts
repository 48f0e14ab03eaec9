/**
 * Waiting on a condition instead of a clock. `until` polls `check` until it returns something truthy,
 * with no deadline of its own: on a loaded machine it only takes longer, and the test's timeout
 * (vitest.config.ts) is the one limit. When the test fails or times out while waiting, the wait
 * stops and `describe()` is printed, so the failure still says what never happened.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { onTestFailed, onTestFinished } from 'vitest';

export async function until<T>(
  check: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  describe: () => string = () => 'a condition',
): Promise<T> {
  let stopped = false;
  try {
    onTestFailed(() => {
      if (!stopped) console.error(`the test ended while still waiting for ${describe()}`);
    });
    onTestFinished(() => {
      stopped = true;
    });
  } catch {
    // Called from a hook (beforeAll), not a test: the hook's timeout is the limit.
  }
  for (;;) {
    const value = await check();
    if (value) {
      stopped = true;
      return value;
    }
    if (stopped) throw new Error(`stopped waiting for ${describe()}: the test is over`);
    await sleep(20);
  }
}
