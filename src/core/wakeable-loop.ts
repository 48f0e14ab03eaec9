/**
 * A background loop that runs `tick`, then sleeps for the delay `tick` returns (on the injected clock)
 * or until `wake()` is called, whichever comes first. One tick at a time; errors are logged and the
 * loop goes on, so one bad job never stops the bot.
 */
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** The abort reason of a wake: nothing reads it, the sleep just ends. */
const WOKEN = 'woken';

export class WakeableLoop {
  private running = false;
  private wakeController = new AbortController();
  private stopped: Promise<void> | undefined;
  private wakeRequested = false;

  constructor(
    private readonly name: string,
    private readonly tick: () => Promise<number>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly errorDelayMs = 1000,
    /** Wakes closer together than this are folded into one tick (a burst of completions). */
    private readonly minIntervalMs = 0,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = this.run();
  }

  wake(): void {
    this.wakeRequested = true;
    // A plain reason, and only once per sleep: `abort()` builds a DOMException (with a stack trace)
    // on every call, even on a signal already aborted, and a busy bot wakes its loops thousands of
    // times a minute (a profile put a percent of its time there).
    if (!this.wakeController.signal.aborted) this.wakeController.abort(WOKEN);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.stopped;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      let delay: number;
      try {
        delay = await this.tick();
      } catch (error) {
        this.logger.error({ err: error, loop: this.name }, 'loop tick failed');
        delay = this.errorDelayMs;
      }
      if (!this.running) break;
      if (this.wakeRequested) {
        // Real time, not the injected clock: this only spares the CPU, and a test's frozen clock
        // must not stop the loop.
        if (this.minIntervalMs > 0) await new Promise((r) => setTimeout(r, this.minIntervalMs));
        continue;
      }
      this.wakeController = new AbortController();
      await this.clock.sleep(Math.max(0, delay), this.wakeController.signal);
    }
  }
}
