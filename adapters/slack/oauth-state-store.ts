/**
 * The OAuth `state` (CSRF protection of the install) kept on the bot's store, so it is single-use
 * across replicas: the install page issues a random nonce, signed with SLACK_STATE_SECRET, and records
 * what the install asked for (TTL ten minutes); the callback claims the nonce with `markOnce`, an
 * atomic put-if-absent in the store, so exactly one callback ever gets past it, on any replica. A
 * forged state fails the signature before the store is asked; a replayed one loses the claim; an old
 * one is gone. @slack/oauth's own state store is a signed token that can be replayed until it expires.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { InstallURLOptions, StateStore } from '@slack/bolt';
import { z } from 'zod';
import type { KeyValues } from '../../src/store/key-values.js';

/** Slack's authorize page gives the person this long to choose a workspace and allow. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

export type OAuthStateFailure = 'forged' | 'replayed' | 'expired';

/** InstallProvider passes the error to the failure page: the code is @slack/oauth's for a bad state. */
export class OAuthStateError extends Error {
  override readonly name = 'OAuthStateError';
  readonly code = 'slack_oauth_invalid_state';
  constructor(
    readonly reason: OAuthStateFailure,
    message: string,
  ) {
    super(message);
  }
}

const IssuedSchema = z.object({
  issuedAt: z.number(),
  installOptions: z.object({ scopes: z.union([z.string(), z.array(z.string())]) }).passthrough(),
});

export class OAuthStateStore implements StateStore {
  constructor(
    private readonly values: KeyValues,
    private readonly secret: string,
    private readonly ttlMs = OAUTH_STATE_TTL_MS,
  ) {}

  async generateStateParam(installOptions: InstallURLOptions, now: Date): Promise<string> {
    const nonce = randomBytes(18).toString('base64url');
    await this.values.set(`oauth-state:${nonce}`, { issuedAt: now.getTime(), installOptions }, this.ttlMs);
    return `${nonce}.${this.sign(nonce)}`;
  }

  async verifyStateParam(now: Date, state: string): Promise<InstallURLOptions> {
    const [nonce, signature, ...rest] = state.split('.');
    if (!nonce || !signature || rest.length > 0 || !this.signedBy(nonce, signature))
      throw new OAuthStateError('forged', 'the state was not issued by this bot');
    // The claim first: two callbacks racing with one state (on two replicas) cannot both pass.
    if (!(await this.values.markOnce(`oauth-state-used:${nonce}`, this.ttlMs)))
      throw new OAuthStateError('replayed', 'the state was used already');
    const key = `oauth-state:${nonce}`;
    const issued = IssuedSchema.safeParse(await this.values.get(key));
    await this.values.delete(key);
    if (!issued.success || now.getTime() - issued.data.issuedAt > this.ttlMs)
      throw new OAuthStateError('expired', 'the state expired');
    return issued.data.installOptions as InstallURLOptions;
  }

  private sign(nonce: string): string {
    return createHmac('sha256', this.secret).update(`slack-oauth-state:${nonce}`).digest('base64url');
  }

  private signedBy(nonce: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(nonce));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
