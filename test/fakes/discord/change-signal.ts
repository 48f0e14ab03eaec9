/**
 * Wakes `waitFor` callers whenever the fake's state changes (a REST call landed, a gateway frame went
 * out), so waiting is event-driven instead of polling.
 */
export class ChangeSignal {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * Resolves with the first truthy value `probe` returns, checked now and after every change.
   * Rejects after `timeoutMs` (when given) with a message naming `what`; without one, the test's own
   * timeout is the limit, so a loaded machine only makes the wait longer.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number, what = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        let value: T | undefined | null | false;
        try {
          value = probe();
        } catch (error) {
          finish();
          reject(error);
          return true;
        }
        if (value === undefined || value === null || value === false) return false;
        finish();
        resolve(value);
        return true;
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              finish();
              reject(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${what}`));
            }, timeoutMs);
      const finish = (): void => {
        if (timer) clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = (): void => {
        check();
      };
      if (check()) return;
      this.listeners.add(listener);
    });
  }
}
