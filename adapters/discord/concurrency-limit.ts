/**
 * At most N tasks at once, the rest wait in arrival order. Job starts go through one: each may
 * download an image, run ffmpeg to fit it, and write the ledger, and a burst of 200 commands doing all
 * of that at once would starve the event loop that must acknowledge the next interactions within 3 s.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next task, so `running` stays the same.
      if (next) next();
      else this.running--;
    }
  }
}
