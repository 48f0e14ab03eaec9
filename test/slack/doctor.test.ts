/**
 * The `slack` doctor check against the fake Slack: it names missing scopes and bad tokens with their
 * fix, and stays quiet (skipped) when Slack is not configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackCheck } from '../../adapters/slack/doctor-check.js';
import type { DoctorContext } from '../../src/cli/doctor.js';
import { parseConfig } from '../../src/config.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { ALL_SCOPES } from './slack-harness.js';

let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack({ scopes: ALL_SCOPES });
});

afterAll(async () => {
  await fake?.close();
});

function run(env: Record<string, string>) {
  const ctx: DoctorContext = {
    config: parseConfig({ SORA_PROVIDER: 'emulator', SLACK_API_URL: fake.apiUrl, ...env }),
    configProblem: undefined,
    provider: () => Promise.reject(new Error('not needed')),
  };
  return slackCheck.run(ctx);
}

describe('sora-bot doctor: slack', () => {
  it('is skipped without SLACK_BOT_TOKEN', async () => {
    expect(await run({})).toEqual({ status: 'skipped', reason: 'SLACK_BOT_TOKEN is not set (Slack is off)' });
  });

  it('passes with every scope and a working app-level token', async () => {
    const outcome = await run({
      SLACK_BOT_TOKEN: fake.options.botToken,
      SLACK_APP_TOKEN: fake.options.appToken,
    });
    expect(outcome.status).toBe('ok');
    expect(JSON.stringify(outcome)).toContain('Socket Mode');
    expect(JSON.stringify(outcome)).not.toContain(fake.options.botToken);
  });

  it('names the missing scopes and how to fix them', async () => {
    fake.workspace.setScopes(ALL_SCOPES.filter((s) => s !== 'reactions:read' && s !== 'files:write'));
    try {
      const outcome = await run({ SLACK_BOT_TOKEN: fake.options.botToken, SLACK_SIGNING_SECRET: 'secret' });
      expect(outcome).toMatchObject({
        status: 'problem',
        problem: 'the bot token lacks the scopes files:write, reactions:read',
      });
      expect(JSON.stringify(outcome)).toContain('reinstall the app');
    } finally {
      fake.workspace.setScopes(ALL_SCOPES);
    }
  });

  it('reports a refused bot token or app token', async () => {
    const badBot = await run({ SLACK_BOT_TOKEN: 'xoxb-wrong', SLACK_APP_TOKEN: fake.options.appToken });
    expect(badBot).toMatchObject({
      status: 'problem',
      problem: 'Slack refused the bot token (invalid_auth)',
    });
    expect(JSON.stringify(badBot)).not.toContain('xoxb-wrong');
    const badApp = await run({ SLACK_BOT_TOKEN: fake.options.botToken, SLACK_APP_TOKEN: 'xapp-wrong' });
    expect(badApp).toMatchObject({
      status: 'problem',
      problem: 'Slack refused the app-level token (invalid_auth)',
    });
  });
});
