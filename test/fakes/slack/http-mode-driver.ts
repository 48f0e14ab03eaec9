import { createHmac } from 'node:crypto';
import { request as undiciRequest } from 'undici';

/** Options of one signed delivery to a bot running in HTTP mode. */
export interface SignedRequestOptions {
  /** Defaults to the fake's signing secret. */
  signingSecret?: string;
  /** Sign with the wrong secret: the bot must answer 401. */
  badSignature?: boolean;
  /** Make the timestamp this many seconds old (Slack's limit is 5 minutes = 300 s): the bot must refuse it. */
  ageSec?: number;
  /** `X-Slack-Retry-Num` / `X-Slack-Retry-Reason`, as Slack adds them when it retries an unacked event. */
  retryNum?: number;
  retryReason?: string;
}

export interface SignedResponse {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** From sending the request to receiving the status line, in milliseconds. */
  ackMs: number;
}

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` (platforms.md, "HTTP mode"). */
export function signSlackRequest(signingSecret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

/**
 * Drives a bot in HTTP mode the way Slack does: slash commands form-encoded, events as JSON, interactivity as
 * a `payload=` form field, each signed. Bolt compares the Content-Type exactly with
 * `application/x-www-form-urlencoded`, so no `; charset` suffix is added (Slack sends none either).
 */
export class HttpModeDriver {
  constructor(private readonly defaultSecret: string) {}

  async send(url: string, body: string, contentType: string, options: SignedRequestOptions = {}) {
    const timestampSec = Math.floor(Date.now() / 1000) - (options.ageSec ?? 0);
    const secret =
      options.badSignature === true ? `${options.signingSecret ?? this.defaultSecret}-wrong` : undefined;
    const signature = signSlackRequest(
      secret ?? options.signingSecret ?? this.defaultSecret,
      timestampSec,
      body,
    );
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-signature': signature,
      'x-slack-request-timestamp': String(timestampSec),
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    };
    if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
    if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
    const started = performance.now();
    const response = await undiciRequest(url, { method: 'POST', headers, body });
    const ackMs = performance.now() - started;
    return {
      status: response.statusCode,
      body: await response.body.text(),
      headers: response.headers,
      ackMs,
    } satisfies SignedResponse;
  }

  /** A slash command: every field a string, form-encoded. */
  sendSlashCommand(url: string, payload: Record<string, string>, options?: SignedRequestOptions) {
    return this.send(
      url,
      new URLSearchParams(payload).toString(),
      'application/x-www-form-urlencoded',
      options,
    );
  }

  /** An Events API callback (event_callback, url_verification): JSON. */
  sendEvent(url: string, payload: unknown, options?: SignedRequestOptions) {
    return this.send(url, JSON.stringify(payload), 'application/json', options);
  }

  /** Interactivity (block_actions, view_submission, shortcuts): `payload=<json>` form field. */
  sendInteractive(url: string, payload: unknown, options?: SignedRequestOptions) {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.send(url, body, 'application/x-www-form-urlencoded', options);
  }
}
