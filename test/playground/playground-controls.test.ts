/**
 * Issue 12, items 2, 3 and 8 in the playground, over real HTTP against a real bot on the built-in
 * emulator: a delivered video and a failure name their requester (`mention`, the slug of the name
 * they typed) unless they said `settings notify off`; Cancel on a status message (someone else is
 * answered privately, a double press cancels once, the job is never sent), Retry on a failure and
 * Again on a delivered video, each one new job with the same request per double press, after the bot
 * restarted on the same DATA_DIR. A 12-second video waits for an admin, so it stays queued.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningBot } from '../../src/app.js';
import type { FailureMessage, ResultMessage, StatusMessage } from '../../src/core/messages.js';
import { FAIL_MARKER } from '../../src/sora/emulator/index.js';
import { newDataDir, RoomStream, sendAction, sendCommand, startTestBot } from './playground-client.js';

const ROOM = 'controls';
const ENV = { SORA_APPROVAL_ABOVE: '1', SORA_RPM: '0' };

let dataDir: string;
let bot: RunningBot;
let stream: RoomStream;

beforeAll(async () => {
  dataDir = await newDataDir();
  bot = await startTestBot(dataDir, 300, ENV);
  stream = await RoomStream.open(bot.url, ROOM);
});

afterAll(async () => {
  stream?.close();
  await bot?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function start(text: string, name = 'Ann'): Promise<string> {
  const answer = await sendCommand(bot.url, ROOM, { text, name });
  if (answer.kind !== 'job') throw new Error(`expected a job, got ${JSON.stringify(answer)}`);
  return answer.jobId;
}

async function press(kind: 'cancel' | 'retry' | 'again', jobId: string, name = 'Ann'): Promise<string> {
  const answer = await sendAction(bot.url, ROOM, { name, action: { kind, jobId } });
  if (answer.kind !== 'reply') throw new Error(`expected a private reply, got ${JSON.stringify(answer)}`);
  return answer.reply.text;
}

function message<T>(kind: string, jobId: string, check: (m: T) => boolean = () => true) {
  return (s: RoomStream): T | undefined =>
    s
      .entries()
      .map((e) => e.message as unknown as T & { kind: string; job?: { id: string } | null })
      .find((m) => m.kind === kind && m.job?.id === jobId && check(m));
}

async function jobsWithPrompt(prompt: string, except: string) {
  return (await bot.core.channelJobs(`playground:${ROOM}`)).filter(
    (j) => j.request.prompt === prompt && j.id !== except,
  );
}

let delivered: string;

it('names the requester on the delivered video, with Again beside Remix and Delete, until they turn it off', async () => {
  delivered = await start('a paper crane unfolding');
  const result = await stream.waitFor(message<ResultMessage>('result', delivered), 'the video');
  expect(result.mention).toBe('ann');
  expect(result.actions.map((a) => a.kind)).toEqual(['remix', 'again', 'delete']);

  const off = await sendCommand(bot.url, ROOM, { text: 'settings notify off', name: 'Ann' });
  expect(off.kind === 'reply' && off.reply.text).toContain("I won't mention you");
  const quiet = await start('a second crane, quietly');
  const second = await stream.waitFor(message<ResultMessage>('result', quiet), 'the second video');
  expect(second.mention ?? null).toBeNull();
  const on = await sendCommand(bot.url, ROOM, { text: 'settings notify on', name: 'Ann' });
  expect(on.kind === 'reply' && on.reply.text).toContain("I'll mention you");
});

it('cancels a queued job once for its requester, never sends it, and refuses anyone else', async () => {
  const jobId = await start('a comet held for an admin --seconds 12');
  const card = await stream.waitFor(
    message<StatusMessage>('status', jobId, (m) => m.phase === 'approval'),
    'the approval card',
  );
  expect(card.actions?.map((a) => a.kind)).toContain('cancel');
  expect(await press('cancel', jobId, 'Bob')).toBe(
    `Only the person who asked for \`${jobId}\` or an admin can cancel it.`,
  );
  const answers = await Promise.all([press('cancel', jobId), press('cancel', jobId)]);
  expect(answers.filter((a) => a.includes('before it was sent: nothing was spent'))).toHaveLength(1);
  expect(answers.filter((a) => a.includes('is already cancelled'))).toHaveLength(1);
  const cancelled = await stream.waitFor(
    message<StatusMessage>('status', jobId, (m) => m.phase === 'cancelled'),
    'the cancelled status',
  );
  expect(cancelled.actions ?? []).toEqual([]);
  expect(await bot.core.jobRecord(jobId)).toMatchObject({ state: 'deleted', submitStartedAt: null });
});

it('after a restart, Retry and Again each make one new job with the same request', async () => {
  const prompt = `a kite that will not fly ${FAIL_MARKER}`;
  const failedId = await start(`${prompt} --seconds 8`);
  const failure = await stream.waitFor(message<FailureMessage>('failure', failedId), 'the failure');
  expect(failure.mention).toBe('ann');
  expect(failure.actions?.map((a) => a.kind)).toEqual(['retry']);

  stream.close();
  await bot.close();
  bot = await startTestBot(dataDir, 300, ENV);
  stream = await RoomStream.open(bot.url, ROOM);

  expect(await press('retry', failedId, 'Bob')).toContain('or an admin can retry it');
  const retried = await Promise.all([press('retry', failedId), press('retry', failedId)]);
  expect(retried.filter((a) => a.includes('the same request as'))).toHaveLength(1);
  expect(retried.filter((a) => a.includes('Already started'))).toHaveLength(1);
  const retries = await jobsWithPrompt(prompt, failedId);
  expect(retries).toHaveLength(1);
  expect(retries[0]!.request).toMatchObject({ seconds: '8', prompt });

  const again = await Promise.all([press('again', delivered, 'Bob'), press('again', delivered, 'Bob')]);
  expect(again.filter((a) => a.includes('the same request as'))).toHaveLength(1);
  const renders = await jobsWithPrompt('a paper crane unfolding', delivered);
  expect(renders).toHaveLength(1);
  const result = await stream.waitFor(message<ResultMessage>('result', renders[0]!.id), 'the new render');
  expect(result.mention).toBe('bob');
});
