import type { ServerResponse } from 'node:http';
import { sendJson } from './http-io.js';

/**
 * Faults injected into REST answers. A 429 carries `Retry-After` in seconds (fractional here, so tests
 * stay fast): @discordjs/rest reads the header, not the body, sleeps and retries by itself, whatever
 * `retries` says; without the header it would retry at once.
 */
export interface RateLimitFault {
  /** Route template as recorded (e.g. '/channels/:channelId/messages') or a RegExp on the decoded path. */
  route: string | RegExp;
  method?: string;
  retryAfterMs?: number;
  global?: boolean;
  /** How many requests get the 429 (default 1). */
  times?: number;
}

export interface ErrorFault {
  route: string | RegExp;
  method?: string;
  status: number;
  code: number;
  message: string;
  times?: number;
  /**
   * Carry the request out first, then answer with the error: an answer lost on the way back (Discord
   * created the message, the bot saw a 5xx or a reset). Default false: refused before anything happens.
   */
  afterHandling?: boolean;
}

/** When a fault answers: instead of handling the request, or after handling it (the answer is lost). */
export type FaultPhase = 'before' | 'after';

interface ArmedFault {
  matches: (method: string, template: string | null, path: string) => boolean;
  phase: FaultPhase;
  remaining: number;
  answer: (res: ServerResponse) => number;
}

export class FaultInjector {
  private readonly armed: ArmedFault[] = [];

  rateLimit(fault: RateLimitFault): void {
    const retryAfterS = (fault.retryAfterMs ?? 100) / 1000;
    this.arm(fault, (res) => {
      sendJson(
        res,
        429,
        { message: 'You are being rate limited.', retry_after: retryAfterS, global: fault.global ?? false },
        {
          'retry-after': String(retryAfterS),
          'x-ratelimit-scope': fault.global ? 'global' : 'user',
          ...(fault.global ? { 'x-ratelimit-global': 'true' } : {}),
        },
      );
      return 429;
    });
  }

  error(fault: ErrorFault): void {
    this.arm(
      fault,
      (res) => {
        sendJson(res, fault.status, { message: fault.message, code: fault.code });
        return fault.status;
      },
      fault.afterHandling ? 'after' : 'before',
    );
  }

  /** Answers the request with a fault if one is armed for it in `phase`; returns the status sent, or null. */
  intercept(
    method: string,
    template: string | null,
    path: string,
    res: ServerResponse,
    phase: FaultPhase = 'before',
  ): number | null {
    const fault = this.armed.find(
      (f) => f.remaining > 0 && f.phase === phase && f.matches(method, template, path),
    );
    if (!fault) return null;
    fault.remaining--;
    return fault.answer(res);
  }

  private arm(
    fault: { route: string | RegExp; method?: string; times?: number },
    answer: (res: ServerResponse) => number,
    phase: FaultPhase = 'before',
  ): void {
    this.armed.push({
      phase,
      remaining: fault.times ?? 1,
      answer,
      matches: (method, template, path) =>
        (fault.method === undefined || fault.method.toUpperCase() === method) &&
        (typeof fault.route === 'string' ? fault.route === template : fault.route.test(path)),
    });
  }
}
