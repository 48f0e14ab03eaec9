/** A planned misbehaviour of one Web API method, consumed call by call. */
type Fault =
  | { kind: 'rate-limit'; retryAfterSec: number }
  | { kind: 'error'; error: string }
  | { kind: 'unreachable' };

export type InjectedFault = Fault;

/**
 * Fault injection for the Web API: HTTP 429 with `Retry-After` (platforms.md, "Rate limits"), or an
 * `{ok:false, error}` answer, for the next K calls of a method. Counts what it served.
 */
export class FaultInjector {
  private readonly queues = new Map<string, Fault[]>();
  private readonly served = new Map<string, number>();

  /** The next `count` calls of `method` answer 429 with `Retry-After: retryAfterSec` (seconds, an integer). */
  rateLimit(method: string, options: { retryAfterSec?: number; count?: number } = {}): void {
    const retryAfterSec = options.retryAfterSec ?? 1;
    if (!Number.isInteger(retryAfterSec) || retryAfterSec < 0)
      throw new Error('Retry-After must be whole seconds');
    this.enqueue(method, { kind: 'rate-limit', retryAfterSec }, options.count ?? 1);
  }

  /** The next `count` calls of `method` answer `{ ok: false, error }` (HTTP 200). */
  failWith(method: string, error: string, count = 1): void {
    this.enqueue(method, { kind: 'error', error }, count);
  }

  /**
   * The next `count` calls of `method` get no answer at all: the connection is cut (Slack unreachable,
   * as the client sees it when the network or Slack's edge is down).
   */
  cutConnection(method: string, count = 1): void {
    this.enqueue(method, { kind: 'unreachable' }, count);
  }

  /** Removes and returns the fault planned for this call of `method`, if any. */
  take(method: string): Fault | undefined {
    const fault = this.queues.get(method)?.shift();
    if (fault !== undefined)
      this.served.set(`${fault.kind}:${method}`, this.servedCount(method, fault.kind) + 1);
    return fault;
  }

  /** How many 429s (or injected errors) `method` has answered so far. */
  servedCount(method: string, kind: Fault['kind'] = 'rate-limit'): number {
    return this.served.get(`${kind}:${method}`) ?? 0;
  }

  pending(method: string): number {
    return this.queues.get(method)?.length ?? 0;
  }

  clear(): void {
    this.queues.clear();
  }

  private enqueue(method: string, fault: Fault, count: number): void {
    const queue = this.queues.get(method) ?? [];
    for (let i = 0; i < count; i += 1) queue.push(fault);
    this.queues.set(method, queue);
  }
}
