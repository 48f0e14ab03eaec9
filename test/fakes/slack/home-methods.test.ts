import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './index.js';

// The fake's App Home (views.publish, chat.getPermalink) driven by the real @slack/web-api WebClient:
// it must refuse what Slack refuses, so an adapter bug fails in tests rather than in a workspace.

let fake: FakeSlack;
let client: webApi.WebClient;
const ALICE = 'U0ALICE0001';

beforeEach(async () => {
  fake = await startFakeSlack();
  client = new webApi.WebClient(fake.options.botToken, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
});

afterEach(async () => {
  await fake.close();
});

function section(text: string, blockId?: string) {
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: { type: 'mrkdwn', text } };
}

async function slackError(call: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
  try {
    await call;
  } catch (error) {
    const data = (error as { data?: { error: string; response_metadata?: { messages?: string[] } } }).data;
    return { error: data?.error ?? 'no error', messages: data?.response_metadata?.messages ?? [] };
  }
  throw new Error('the call succeeded');
}

describe('views.publish', () => {
  it('keeps one Home per user, replaced by each publish, with an id and a hash', async () => {
    const first = await client.views.publish({
      user_id: ALICE,
      view: { type: 'home', blocks: [section('one')] },
    });
    const second = await client.views.publish({
      user_id: ALICE,
      view: { type: 'home', blocks: [section('two')] },
    });
    expect(second.view?.id).toBe(first.view?.id);
    expect(second.view?.hash).not.toBe(first.view?.hash);
    expect(fake.home.views.get(ALICE)?.blocks).toEqual([section('two')]);
    expect(fake.home.views.publishes(ALICE)).toHaveLength(2);
    // A stale hash loses, as on Slack.
    const stale = await slackError(
      client.views.publish({
        user_id: ALICE,
        hash: String(first.view?.hash),
        view: { type: 'home', blocks: [] },
      }),
    );
    expect(stale.error).toBe('hash_conflict');
  });

  it('refuses a modal, more than 100 blocks, duplicate block ids and oversized text', async () => {
    const modal = await slackError(
      client.views.publish({
        user_id: ALICE,
        view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] },
      }),
    );
    expect(modal.error).toBe('invalid_arguments');
    const many = await slackError(
      client.views.publish({
        user_id: ALICE,
        view: { type: 'home', blocks: Array.from({ length: 101 }, (_, i) => section(`row ${i}`)) },
      }),
    );
    expect(many.messages.join(' ')).toContain('no more than 100 items');
    const exactly100 = await client.views.publish({
      user_id: ALICE,
      view: { type: 'home', blocks: Array.from({ length: 100 }, (_, i) => section(`row ${i}`)) },
    });
    expect(exactly100.ok).toBe(true);
    const duplicate = await slackError(
      client.views.publish({
        user_id: ALICE,
        view: { type: 'home', blocks: [section('a', 'b1'), section('b', 'b1')] },
      }),
    );
    expect(duplicate.messages.join(' ')).toContain('duplicate block_id');
    const long = await slackError(
      client.views.publish({ user_id: ALICE, view: { type: 'home', blocks: [section('x'.repeat(3001))] } }),
    );
    expect(long.error).toBe('invalid_arguments');
    // None of the refused views replaced the published one.
    expect(fake.home.views.get(ALICE)?.blocks).toHaveLength(100);
  });

  it('refuses an unknown user, and every user while the Home tab is off', async () => {
    const unknown = await slackError(
      client.views.publish({ user_id: 'U0NOBODY001', view: { type: 'home', blocks: [] } }),
    );
    expect(unknown.error).toBe('invalid_arguments');
    fake.home.views.enabled = false;
    const off = await slackError(
      client.views.publish({ user_id: ALICE, view: { type: 'home', blocks: [] } }),
    );
    expect(off.error).toBe('not_enabled');
  });
});

describe('chat.getPermalink', () => {
  it('names a message and a thread reply, and refuses one that does not exist', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0GENERAL01', text: 'status' });
    const reply = await client.chat.postMessage({
      channel: 'C0GENERAL01',
      text: 'video',
      thread_ts: parent.ts,
    });
    const top = await client.chat.getPermalink({ channel: 'C0GENERAL01', message_ts: String(parent.ts) });
    expect(top.permalink).toBe(
      `https://fake-workspace.slack.com/archives/C0GENERAL01/p${String(parent.ts).replace('.', '')}`,
    );
    const inThread = await client.chat.getPermalink({ channel: 'C0GENERAL01', message_ts: String(reply.ts) });
    expect(inThread.permalink).toContain(`?thread_ts=${parent.ts}&cid=C0GENERAL01`);
    const missing = await slackError(
      client.chat.getPermalink({ channel: 'C0GENERAL01', message_ts: '1.000001' }),
    );
    expect(missing.error).toBe('message_not_found');
  });
});

describe('Home and DM payloads', () => {
  it('names the DM of the app_home_opened event and stores a DM in it', () => {
    const opened = fake.home.payloads.appHomeOpened({ userId: ALICE });
    expect(opened.event).toMatchObject({ type: 'app_home_opened', user: ALICE, tab: 'home' });
    const dm = fake.home.payloads.directMessage({ userId: ALICE, text: 'a cat' });
    expect(dm.event.channel).toBe(opened.event.channel);
    expect(dm.event).toMatchObject({ type: 'message', channel_type: 'im', user: ALICE });
    expect(fake.workspace.message(dm.event.channel, dm.event.ts)?.text).toBe('a cat');
  });
});
