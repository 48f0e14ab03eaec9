/**
 * Interaction tokens of jobs answered through their interaction (app-conversation.ts). A token is a
 * credential (whoever holds it can post as the app in that chat), valid 15 minutes from the
 * interaction. It is kept in the adapter's records under the interaction id with a TTL ending when
 * Discord's validity does, so it is gone from the store when it is useless; the job record (kept for
 * months) holds only the interaction id. Any replica can deliver with it, also after a restart.
 * Tokens are never logged: errors are reduced by loggableError, which strips webhook URLs.
 * https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages
 */
import { SnowflakeUtil } from 'discord.js';
import { z } from 'zod';
import type { Clock } from '../../src/core/clock.js';
import type { KeyValues } from '../../src/store/key-values.js';

/** Discord accepts an interaction's token for 15 minutes. */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;
/** Stop using it a little before, so a call does not start valid and arrive expired. */
const SAFETY_MARGIN_MS = 30_000;

const StoredTokenSchema = z.object({
  token: z.string().min(1).max(500),
  applicationId: z.string().regex(/^\d{1,20}$/),
  expiresAt: z.number().int(),
});
export type InteractionToken = z.infer<typeof StoredTokenSchema>;

/** Under the adapter's namespace: `discord:interaction-token:INTERACTION`. */
const key = (interactionId: string) => `interaction-token:${interactionId}`;

export class InteractionTokens {
  constructor(
    private readonly values: KeyValues,
    private readonly clock: Clock,
  ) {}

  /** Keeps the token until it expires (measured from the interaction's own snowflake time). */
  async remember(interaction: { id: string; token: string; applicationId: string }): Promise<void> {
    const expiresAt =
      SnowflakeUtil.timestampFrom(interaction.id) + INTERACTION_TOKEN_LIFETIME_MS - SAFETY_MARGIN_MS;
    const ttl = expiresAt - this.clock.now();
    if (ttl <= 0) return;
    const stored: InteractionToken = {
      token: interaction.token,
      applicationId: interaction.applicationId,
      expiresAt,
    };
    await this.values.set(key(interaction.id), stored, ttl);
  }

  /** The token while Discord still accepts it; undefined once expired (or never kept). */
  async valid(interactionId: string): Promise<InteractionToken | undefined> {
    const parsed = StoredTokenSchema.safeParse(await this.values.get(key(interactionId)));
    if (!parsed.success || parsed.data.expiresAt <= this.clock.now()) return undefined;
    return parsed.data;
  }

  /** Discord refused the token (expired early, or the interaction is gone): stop trying it. */
  async forget(interactionId: string): Promise<void> {
    await this.values.delete(key(interactionId));
  }
}
