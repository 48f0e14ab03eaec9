/**
 * Neither the bot token nor an interaction token reaches a log line, even when Discord refuses a call
 * made with the interaction token (its URL carries the token) and the core logs that error.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type DiscordTestBot,
  jobsInChannel,
  startDiscordTestBot,
  until,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

const lines: string[] = [];
let t: DiscordTestBot;

beforeAll(async () => {
  t = await startDiscordTestBot({ logLines: lines });
});

afterAll(async () => {
  await t?.close();
});

it('logs no token through a normal job and a refused status message', async () => {
  const ok = t.fake.interactions.slashCommand({ options: { prompt: 'a quiet harbour' } });
  await waitForDelivery(t.fake, await waitForJobId(t.fake, ok));

  t.fake.injectError({
    method: 'PATCH',
    route: '/webhooks/:applicationId/:token/messages/:messageId',
    status: 404,
    code: 10015,
    message: 'Unknown Webhook',
  });
  const refused = t.fake.interactions.slashCommand({ options: { prompt: 'this status message is refused' } });
  expect((await refused.callback).type).toBe(5);
  await until(async () => lines.some((l) => l.includes('could not post the status message')));
  const failed = (await jobsInChannel(t.bot, t.fake)).find(
    (j) => j.prompt === 'this status message is refused',
  );
  expect(failed?.state).toBe('failed');

  const log = lines.join('\n');
  expect(log).toContain('Unknown Webhook');
  for (const secret of [t.fake.token, ok.token, refused.token]) expect(log).not.toContain(secret);
});
