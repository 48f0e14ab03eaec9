/**
 * The pieces of user installs and autocomplete that need no Discord: the interaction token kept only
 * while Discord accepts it, the app conversation's encoding (and that a server conversation is not
 * one), and the names of autocomplete choices within Discord's 100 characters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnowflakeUtil } from 'discord.js';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { decodeAppConversation, encodeAppConversation } from '../../adapters/discord/app-conversation.js';
import { choiceName, MAX_CHOICE_NAME } from '../../adapters/discord/autocomplete.js';
import { decodeConversation } from '../../adapters/discord/conversation.js';
import {
  INTERACTION_TOKEN_LIFETIME_MS,
  InteractionTokens,
} from '../../adapters/discord/interaction-tokens.js';
import type { JobView } from '../../src/core/messages.js';
import { namespacedValues } from '../../src/store/key-values.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

it('keeps an interaction token only while Discord accepts it, and forgets it on request', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sora-tokens-'));
  const store = await SqliteStore.open(join(dir, 'store.sqlite'));
  const values = namespacedValues(store, 'discord');
  const created = Date.now();
  let now = created;
  const tokens = new InteractionTokens(values, { now: () => now, sleep: async () => {} });
  const interaction = (at: number) => ({
    id: SnowflakeUtil.generate({ timestamp: at }).toString(),
    token: `token-${at}`,
    applicationId: '123456789012345678',
  });
  try {
    const fresh = interaction(created);
    await tokens.remember(fresh);
    expect(await tokens.valid(fresh.id)).toMatchObject({
      token: fresh.token,
      applicationId: '123456789012345678',
    });
    // 14 minutes in: still good; 15 minutes in (less the safety margin): gone.
    now = created + 14 * 60_000;
    expect((await tokens.valid(fresh.id))?.token).toBe(fresh.token);
    now = created + INTERACTION_TOKEN_LIFETIME_MS;
    expect(await tokens.valid(fresh.id)).toBeUndefined();

    // A token already past its lifetime is not even stored.
    const old = interaction(now - INTERACTION_TOKEN_LIFETIME_MS - 1_000);
    await tokens.remember(old);
    expect(await values.get(`interaction-token:${old.id}`)).toBeUndefined();

    const other = interaction(now);
    await tokens.remember(other);
    await tokens.forget(other.id);
    expect(await tokens.valid(other.id)).toBeUndefined();
    // Whatever is stored under the key is read through its schema: junk is no token.
    await values.set(`interaction-token:${other.id}`, { token: 5 }, 60_000);
    expect(await tokens.valid(other.id)).toBeUndefined();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('encodes app conversations without their token, and keeps them apart from server ones', () => {
  const snowflake = fc.bigInt({ min: 1n, max: 2n ** 63n }).map(String);
  fc.assert(
    fc.property(
      snowflake,
      snowflake,
      snowflake,
      snowflake,
      fc.boolean(),
      (guild, channel, interaction, user, dm) => {
        const app = {
          scope: dm ? `u${user}` : guild,
          channelId: channel,
          interactionId: interaction,
          userId: user,
        };
        const encoded = encodeAppConversation(app);
        expect(decodeAppConversation(encoded)).toEqual(app);
        expect(decodeConversation(encoded)).toBeUndefined();
        expect(decodeAppConversation(`discord:${guild}:${channel}`)).toBeUndefined();
      },
    ),
  );
  expect(decodeAppConversation('discord:app:x1:2:3:4')).toBeUndefined();
  expect(decodeAppConversation('discord:app:1:2:3:4:5')).toBeUndefined();
});

it('names a choice by its prompt, cut so that the id always shows within 100 characters', () => {
  const view = (prompt: string, state: JobView['state']): JobView => ({
    id: 'k3f9qz',
    prompt,
    seconds: '4',
    size: '720x1280',
    model: 'sora-2',
    state,
    progress: 0,
    requesterUser: '1',
    requesterName: null,
    remixOf: null,
    hasImage: false,
    createdAt: 0,
    failureCode: null,
  });
  expect(choiceName(view('a red fox\nin snow', 'delivered'))).toBe('a red fox in snow · k3f9qz');
  expect(choiceName(view('a red fox', 'rendering'))).toBe('a red fox · k3f9qz (rendering)');
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 6000 }),
      fc.constantFrom('delivered', 'waiting', 'failed'),
      (prompt, state) => {
        const name = choiceName(view(prompt, state as JobView['state']));
        expect(name.length).toBeLessThanOrEqual(MAX_CHOICE_NAME);
        expect(name).toContain(' · k3f9qz');
      },
    ),
  );
});
