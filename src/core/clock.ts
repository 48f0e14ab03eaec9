/**
 * Time is injected so tests can run a render of minutes in milliseconds. Every duration is in ms.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms` of this clock's time (a fake clock resolves when advanced past it). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        signal?.removeEventListener('abort', done);
        clearTimeout(timer);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};
