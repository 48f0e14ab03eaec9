/**
 * A Web API method's refusal: the fake answers HTTP 200 `{ ok: false, error: code, ...extra }`, which is how
 * Slack reports every non-rate-limit failure (platforms.md, "Web API wire format").
 */
export class SlackApiFailure extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = 'SlackApiFailure';
  }
}
