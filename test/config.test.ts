import { describe, expect, it } from 'vitest';
import { ConfigError, EnvSchema, parseConfig } from '../src/config.js';

describe('configuration', () => {
  it('runs on the emulator with embedded defaults when nothing is set', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      SORA_PROVIDER: 'emulator',
      OPENAI_BASE_URL: 'https://api.openai.com/v1',
      AZURE_OPENAI_DEPLOYMENT: 'sora-2',
      SORA_MODEL: 'sora-2',
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      SORA_MAX_CONCURRENT: 2,
      SORA_RPM: 2,
      VIDEO_RETENTION_DAYS: 7,
      SORA_ADMINS: [],
    });
  });

  it('picks the provider from the credentials: Azure, then OpenAI, then the emulator', () => {
    expect(parseConfig({ OPENAI_API_KEY: 'sk-x' }).SORA_PROVIDER).toBe('openai');
    expect(
      parseConfig({
        OPENAI_API_KEY: 'sk-x',
        AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com/',
        AZURE_OPENAI_API_KEY: 'k',
      }).SORA_PROVIDER,
    ).toBe('azure');
    expect(parseConfig({ SORA_PROVIDER: 'emulator', OPENAI_API_KEY: 'sk-x' }).SORA_PROVIDER).toBe('emulator');
  });

  it('fails fast with one line naming the variable and what it expects', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ PORT: 'eighty' }, 'PORT', /whole number/],
      [{ SORA_PROVIDER: 'google' }, 'SORA_PROVIDER', /azure, openai, emulator/],
      [{ OPENAI_BASE_URL: 'ftp://x' }, 'OPENAI_BASE_URL', /URL/],
      [{ SORA_PROVIDER: 'openai' }, 'OPENAI_API_KEY', /API key/],
      [{ AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com' }, 'AZURE_OPENAI_API_KEY', /key/],
      [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_APP_TOKEN', /Socket Mode/],
      [{ DISCORD_TOKEN: 't' }, 'DISCORD_APPLICATION_ID', /application id/],
      // Slack or Discord on the emulator only when asked for: no key is not enough.
      [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, 'SORA_PROVIDER', /SORA_PROVIDER=emulator/],
      [{ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '1' }, 'SORA_PROVIDER', /AZURE_OPENAI_ENDPOINT/],
      [{ STORE_URL: 'mysql://x' }, 'STORE_URL', /sqlite:\/\/PATH or redis/],
      [{ PLAYGROUND: 'maybe' }, 'PLAYGROUND', /1 or 0/],
    ];
    for (const [env, variable, expected] of cases) {
      let error: unknown;
      try {
        parseConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error, variable).toBeInstanceOf(ConfigError);
      const configError = error as ConfigError;
      expect(configError.variable).toBe(variable);
      expect(configError.message).toMatch(expected);
      expect(configError.message.split('\n')).toHaveLength(1);
    }
  });

  it('treats empty values as unset (an empty NAME= line changes no default)', () => {
    // test/ops/env-example.test.ts checks the shipped .env.example itself, where every line is commented out.
    const env = Object.fromEntries(Object.keys(EnvSchema.shape).map((name) => [name, '']));
    expect(parseConfig(env)).toEqual(parseConfig({}));
    expect(parseConfig(env).SORA_PROVIDER).toBe('emulator');
  });

  it('reads lists and flags', () => {
    const config = parseConfig({ SORA_ADMINS: 'slack:T1:U1, slack:U2  discord:3', PLAYGROUND: 'yes' });
    expect(config.SORA_ADMINS).toEqual(['slack:T1:U1', 'slack:U2', 'discord:3']);
    // A bare id would match on every platform: refused with the fix.
    expect(() => parseConfig({ SORA_ADMINS: 'slack:U2 U1' })).toThrow(
      'SORA_ADMINS: expected platform-qualified ids: write slack:U1 (or discord:U1, playground:U1) instead of U1',
    );
    expect(config.PLAYGROUND).toBe(true);
  });
});
