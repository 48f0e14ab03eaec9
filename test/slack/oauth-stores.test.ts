/**
 * The pieces of OAuth installs that live on the store, on both stores with two instances over the
 * same data (two replicas): the state is single-use however the callbacks race, installations written
 * by one replica are read by the other, and nothing at rest is a readable token. Plus the cipher and
 * the configuration's one-line errors.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Installation } from '@slack/bolt';
import { afterAll, describe, expect, it } from 'vitest';
import { InstallationError, SlackInstallations } from '../../adapters/slack/installation-store.js';
import { OAuthStateError, OAuthStateStore } from '../../adapters/slack/oauth-state-store.js';
import { TokenCipher, TokenCipherError } from '../../adapters/slack/token-cipher.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import { namespacedValues } from '../../src/store/key-values.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { redis, skipWithout, TEST_REDIS_URL } from '../support/services.js';

const dirs: string[] = [];
const factories: [string, () => Promise<[Store, Store]>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sora-oauth-'));
      dirs.push(dir);
      const file = join(dir, 'ledger.sqlite');
      return [await SqliteStore.open(file), await SqliteStore.open(file)];
    },
  ],
  [
    'redis',
    async () => {
      const ns = `test-oauth-${process.pid}-${randomBytes(6).toString('hex')}`;
      return [await RedisStore.open(TEST_REDIS_URL, ns), await RedisStore.open(TEST_REDIS_URL, ns)];
    },
  ],
];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const SECRET = 'state-secret-0123456789abcdef';
const TOKEN = `xoxb-T0ONE-${randomBytes(12).toString('hex')}`;

function installation(team: string, token = TOKEN): Installation {
  return {
    team: { id: team, name: 'One' },
    enterprise: undefined,
    user: { id: 'U0INSTALLER', token: undefined, scopes: undefined },
    bot: { id: 'B0BOT', userId: 'U0BOT', token, scopes: ['chat:write'] },
    tokenType: 'bot',
    isEnterpriseInstall: false,
    appId: 'A0APP',
    authVersion: 'v2',
  };
}

describe.each(factories.filter(([name]) => name !== 'redis' || !skipWithout(redis)))(
  'OAuth records on %s, two replicas',
  (_name, open) => {
    it('lets exactly one callback claim a state, whichever replica it reaches', async () => {
      const [a, b] = await open();
      try {
        const one = new OAuthStateStore(namespacedValues(a, 'slack'), SECRET);
        const two = new OAuthStateStore(namespacedValues(b, 'slack'), SECRET);
        for (let round = 0; round < 5; round++) {
          const state = await one.generateStateParam({ scopes: ['chat:write'] }, new Date());
          const results = await Promise.allSettled([
            one.verifyStateParam(new Date(), state),
            two.verifyStateParam(new Date(), state),
            two.verifyStateParam(new Date(), state),
          ]);
          const passed = results.filter((r) => r.status === 'fulfilled');
          expect(passed).toHaveLength(1);
          expect((passed[0] as PromiseFulfilledResult<{ scopes: string[] }>).value.scopes).toEqual([
            'chat:write',
          ]);
          for (const r of results.filter((r) => r.status === 'rejected'))
            expect((r as PromiseRejectedResult).reason).toMatchObject({
              code: 'slack_oauth_invalid_state',
              reason: 'replayed',
            });
        }
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('refuses a forged state and one signed with another secret', async () => {
      const [a, b] = await open();
      try {
        const store = new OAuthStateStore(namespacedValues(a, 'slack'), SECRET);
        const state = await store.generateStateParam({ scopes: ['chat:write'] }, new Date());
        const [nonce] = state.split('.');
        const other = new OAuthStateStore(namespacedValues(b, 'slack'), 'another-secret-0123456789');
        await expect(other.verifyStateParam(new Date(), state)).rejects.toMatchObject({ reason: 'forged' });
        await expect(store.verifyStateParam(new Date(), `${nonce}.AAAA`)).rejects.toMatchObject({
          reason: 'forged',
        });
        await expect(store.verifyStateParam(new Date(), 'garbage')).rejects.toBeInstanceOf(OAuthStateError);
        // The forgeries claimed nothing: the real state still works once.
        await expect(store.verifyStateParam(new Date(), state)).resolves.toMatchObject({
          scopes: ['chat:write'],
        });
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('refuses a state past its time', async () => {
      const [a, b] = await open();
      try {
        const store = new OAuthStateStore(namespacedValues(a, 'slack'), SECRET, 60_000);
        const issued = new Date();
        const state = await store.generateStateParam({ scopes: ['chat:write'] }, issued);
        await expect(
          store.verifyStateParam(new Date(issued.getTime() + 60_001), state),
        ).rejects.toMatchObject({
          reason: 'expired',
        });
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('stores installations sealed, readable by the other replica, gone when removed', async () => {
      const [a, b] = await open();
      try {
        const key = randomBytes(32);
        const one = new SlackInstallations(namespacedValues(a, 'slack'), new TokenCipher(key), Date.now);
        const two = new SlackInstallations(namespacedValues(b, 'slack'), new TokenCipher(key), Date.now);
        await one.storeInstallation(installation('T0ONE'));
        await one.storeInstallation(installation('T0TWO', 'xoxb-T0TWO-second'));
        expect(await two.workspace('T0ONE')).toEqual({
          teamId: 'T0ONE',
          botToken: TOKEN,
          botUserId: 'U0BOT',
        });
        expect(
          (
            await two.fetchInstallation({
              teamId: 'T0TWO',
              enterpriseId: undefined,
              isEnterpriseInstall: false,
            })
          ).bot?.token,
        ).toBe('xoxb-T0TWO-second');
        expect(await two.count()).toBe(2);
        // At rest: the record names its team and holds ciphertext, never the token.
        const raw = JSON.stringify(await b.get('slack:installation:T0ONE'));
        expect(raw).toContain('T0ONE');
        expect(raw).not.toContain(TOKEN);
        expect(raw).not.toContain(TOKEN.slice(-16));
        await two.remove('T0ONE');
        expect(await one.workspace('T0ONE')).toBeUndefined();
        await expect(
          one.fetchInstallation({ teamId: 'T0ONE', enterpriseId: undefined, isEnterpriseInstall: false }),
        ).rejects.toMatchObject({
          code: 'not_installed',
        });
        expect(await one.count()).toBe(1);
        // Another SLACK_TOKEN_KEY cannot read what is there: a configuration error, said as one.
        const wrongKey = new SlackInstallations(
          namespacedValues(b, 'slack'),
          new TokenCipher(randomBytes(32)),
          Date.now,
        );
        await expect(wrongKey.workspace('T0TWO')).rejects.toBeInstanceOf(TokenCipherError);
      } finally {
        await a.close();
        await b.close();
      }
    });
  },
);

describe('token cipher', () => {
  it('opens what it sealed, only with the same key and workspace', () => {
    const key = randomBytes(32);
    const cipher = new TokenCipher(key);
    const sealed = cipher.seal(TOKEN, 'T0ONE');
    expect(sealed).not.toContain(TOKEN);
    expect(cipher.seal(TOKEN, 'T0ONE')).not.toBe(sealed);
    expect(cipher.open(sealed, 'T0ONE')).toBe(TOKEN);
    expect(() => cipher.open(sealed, 'T0TWO')).toThrow(TokenCipherError);
    expect(() => new TokenCipher(randomBytes(32)).open(sealed, 'T0ONE')).toThrow(TokenCipherError);
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = `${body!.startsWith('A') ? 'B' : 'A'}${body!.slice(1)}`;
    expect(() => cipher.open([v, iv, tag, flipped].join('.'), 'T0ONE')).toThrow(TokenCipherError);
    try {
      cipher.open(sealed, 'T0TWO');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(TOKEN);
    }
  });

  it('refuses an org-wide install and one without a bot token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sora-oauth-'));
    dirs.push(dir);
    const store = await SqliteStore.open(join(dir, 'ledger.sqlite'));
    try {
      const installs = new SlackInstallations(
        namespacedValues(store, 'slack'),
        new TokenCipher(randomBytes(32)),
        Date.now,
      );
      const org = {
        ...installation('T0ONE'),
        team: undefined,
        enterprise: { id: 'E0ORG' },
        isEnterpriseInstall: true,
      };
      await expect(installs.storeInstallation(org as Installation)).rejects.toMatchObject({
        code: 'enterprise_install_unsupported',
      });
      const noBot = { ...installation('T0ONE'), bot: undefined };
      await expect(installs.storeInstallation(noBot)).rejects.toBeInstanceOf(InstallationError);
      expect(await installs.count()).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('OAuth configuration', () => {
  const base = {
    SORA_PROVIDER: 'emulator',
    SLACK_APP_TOKEN: 'xapp-1-A0-x',
    SLACK_CLIENT_ID: '1111.2222',
    SLACK_CLIENT_SECRET: 'client-secret',
    SLACK_STATE_SECRET: 'state-secret-0123456789',
    SLACK_TOKEN_KEY: randomBytes(32).toString('base64'),
  };
  const problem = (env: Record<string, string | undefined>) => {
    try {
      parseConfig(env as NodeJS.ProcessEnv);
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
  };

  it('accepts a key as base64 or hex and the rest of the OAuth set', () => {
    expect(problem(base)).toBeUndefined();
    expect(problem({ ...base, SLACK_TOKEN_KEY: randomBytes(32).toString('hex') })).toBeUndefined();
    expect(problem({ ...base, SLACK_TOKEN_KEY: randomBytes(32).toString('base64url') })).toBeUndefined();
  });

  it('says in one line what is missing or wrong', () => {
    for (const [env, variable] of [
      [{ ...base, SLACK_TOKEN_KEY: randomBytes(16).toString('base64') }, 'SLACK_TOKEN_KEY'],
      [{ ...base, SLACK_TOKEN_KEY: 'not a key' }, 'SLACK_TOKEN_KEY'],
      [{ ...base, SLACK_TOKEN_KEY: undefined }, 'SLACK_TOKEN_KEY'],
      [{ ...base, SLACK_CLIENT_SECRET: undefined }, 'SLACK_CLIENT_SECRET'],
      [{ ...base, SLACK_STATE_SECRET: undefined }, 'SLACK_STATE_SECRET'],
      [{ ...base, SLACK_STATE_SECRET: 'short' }, 'SLACK_STATE_SECRET'],
      [{ ...base, SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_BOT_TOKEN'],
      [{ ...base, SLACK_APP_TOKEN: undefined }, 'SLACK_APP_TOKEN'],
    ] as const) {
      const message = problem(env);
      expect(message, variable).toMatch(new RegExp(`^${variable}: expected `));
      expect(message).not.toContain('\n');
      expect(message).not.toContain(base.SLACK_TOKEN_KEY);
    }
    // HTTP mode is the other way to receive events.
    expect(problem({ ...base, SLACK_APP_TOKEN: undefined, SLACK_SIGNING_SECRET: 'signing' })).toBeUndefined();
  });
});
