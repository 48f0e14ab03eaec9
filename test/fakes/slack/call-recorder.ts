import { EventEmitter } from 'node:events';

/** Which configured token authenticated a Web API call. */
export type TokenKind = 'bot' | 'app' | 'invalid' | 'none';

/** One Web API call as the fake saw it, including the ones it refused (429, invalid_auth, …). */
export interface RecordedCall {
  /** 1-based order of arrival over the whole fake. */
  seq: number;
  method: string;
  /** Parsed arguments; form fields that Slack JSON-encodes (blocks, files, view, …) are decoded. */
  args: Record<string, unknown>;
  tokenKind: TokenKind;
  /** Milliseconds from the fake's clock when the request arrived. */
  atMs: number;
  httpStatus: number;
  /** The JSON the fake answered (for a 429: `{ ok: false, error: 'ratelimited' }`). */
  response: Record<string, unknown>;
}

export type CallPredicate = (call: RecordedCall) => boolean;

/**
 * Keeps every Web API call in arrival order and lets a test wait for a call without polling, so benchmarks
 * can use it too.
 */
export class CallRecorder {
  private readonly log: RecordedCall[] = [];
  private readonly emitter = new EventEmitter();
  private nextSeq = 1;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  record(call: Omit<RecordedCall, 'seq'>): RecordedCall {
    const recorded: RecordedCall = { seq: this.nextSeq++, ...call };
    this.log.push(recorded);
    this.emitter.emit('call', recorded);
    return recorded;
  }

  /** All calls, or those of one method, in arrival order (a copy). */
  calls(method?: string): RecordedCall[] {
    return method === undefined ? [...this.log] : this.log.filter((call) => call.method === method);
  }

  /** Calls of one method that the fake answered with `ok: true`. */
  succeeded(method: string): RecordedCall[] {
    return this.calls(method).filter((call) => call.response.ok === true);
  }

  /**
   * Resolves with the first call (already recorded or future) of `method` matching `predicate`; when
   * `timeoutMs` is given, rejects after it with the list of calls seen. Without it the test's own
   * timeout is the limit, so a loaded machine only makes the wait longer.
   */
  waitForCall(
    method: string,
    predicate: CallPredicate = () => true,
    timeoutMs?: number,
  ): Promise<RecordedCall> {
    const matches = (call: RecordedCall) => call.method === method && predicate(call);
    const existing = this.log.find(matches);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onCall = (call: RecordedCall) => {
        if (!matches(call)) return;
        if (timer) clearTimeout(timer);
        this.emitter.off('call', onCall);
        resolve(call);
      };
      if (timeoutMs === undefined) {
        this.emitter.on('call', onCall);
        return;
      }
      timer = setTimeout(() => {
        this.emitter.off('call', onCall);
        const seen = this.log.map(
          (call) => `${call.method}(${call.response.ok === true ? 'ok' : call.response.error})`,
        );
        reject(
          new Error(
            `No matching ${method} call within ${timeoutMs} ms; calls seen: ${seen.join(', ') || 'none'}`,
          ),
        );
      }, timeoutMs);
      this.emitter.on('call', onCall);
    });
  }

  /** Waits until `count` calls of `method` matching `predicate` have been recorded. */
  async waitForCalls(method: string, count: number, predicate: CallPredicate = () => true) {
    for (;;) {
      const found = this.calls(method).filter(predicate);
      if (found.length >= count) return found.slice(0, count);
      const seq = this.nextSeq - 1;
      await this.waitForCall(method, (call) => call.seq > seq && predicate(call));
    }
  }

  clear(): void {
    this.log.length = 0;
  }
}
