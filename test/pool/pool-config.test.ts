/** SORA_POOL: validated by the config schema, one line naming the entry; defaults from the globals. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

const entry = (fields: Record<string, unknown>) => JSON.stringify([fields]);
const azure = {
  name: 'eastus',
  flavour: 'azure',
  endpoint: 'https://east.openai.azure.com/',
  apiKeyEnv: 'AZ_EAST_KEY',
};

function problem(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('SORA_POOL');
    expect((error as Error).message.split('\n')).toHaveLength(1);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('SORA_POOL', () => {
  it('reads every entry, with keys from their variables and the global quotas as defaults', () => {
    const config = parseConfig({
      SORA_POOL: JSON.stringify([
        azure,
        {
          name: 'oai',
          flavour: 'openai',
          baseUrl: 'https://api.openai.com/v1',
          apiKeyEnv: 'OAI',
          maxConcurrent: 4,
          rpm: 10,
        },
      ]),
      AZ_EAST_KEY: 'az-secret',
      OAI: 'sk-secret',
      SORA_MAX_CONCURRENT: '3',
      SORA_RPM: '5',
    });
    expect(config.SORA_POOL).toEqual([
      {
        name: 'eastus',
        flavour: 'azure',
        endpoint: 'https://east.openai.azure.com',
        deployment: 'sora-2',
        maxConcurrent: 3,
        rpm: 5,
        models: null,
        apiKey: 'az-secret',
      },
      {
        name: 'oai',
        flavour: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        maxConcurrent: 4,
        rpm: 10,
        models: null,
        apiKey: 'sk-secret',
      },
    ]);
    // The pool's first deployment is the provider; no AZURE_OPENAI_* variable is needed.
    expect(config.SORA_PROVIDER).toBe('azure');
  });

  it('names the entry in one line for a missing key, an unknown flavour, a bad field or a duplicate', () => {
    expect(problem({ SORA_POOL: entry(azure) })).toBe(
      'SORA_POOL: expected entry 1 ("eastus"): the variable AZ_EAST_KEY (its apiKeyEnv) is not set',
    );
    expect(problem({ SORA_POOL: entry({ ...azure, flavour: 'gcp' }) })).toBe(
      'SORA_POOL: expected entry 1 ("eastus"): a "flavour", one of azure, openai, emulator',
    );
    expect(problem({ SORA_POOL: entry({ ...azure, endpoint: 'east' }), AZ_EAST_KEY: 'k' })).toContain(
      'entry 1 ("eastus"): "endpoint", a URL',
    );
    expect(problem({ SORA_POOL: entry({ ...azure, maxConcurrent: 0 }), AZ_EAST_KEY: 'k' })).toContain(
      '"maxConcurrent", a whole number from 1 to 1000',
    );
    expect(problem({ SORA_POOL: entry({ ...azure, apiKey: 'inline' }), AZ_EAST_KEY: 'k' })).toContain(
      'unknown field "apiKey"',
    );
    expect(problem({ SORA_POOL: JSON.stringify([azure, azure]), AZ_EAST_KEY: 'k' })).toBe(
      'SORA_POOL: expected entry 2 ("eastus"): the name "eastus" is used twice',
    );
    expect(problem({ SORA_POOL: '{"name":"x"}' })).toContain('a JSON array with at least one deployment');
    expect(problem({ SORA_POOL: '[{' })).toContain('a JSON array of deployments');
  });

  it('leaves a configuration without it as it was: a pool of one', () => {
    const config = parseConfig({ OPENAI_API_KEY: 'sk-1' });
    expect(config.SORA_POOL).toBeUndefined();
    expect(config.SORA_PROVIDER).toBe('openai');
  });
});
