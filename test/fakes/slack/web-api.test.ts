import { webApi } from '@slack/bolt';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './index.js';

// The fake's Web API, upload/download URLs and fault injection, driven by the real @slack/web-api 8
// WebClient (the one Bolt hands to listeners). Bolt end-to-end tests live in test/fakes/slack.test.ts.

let fake: FakeSlack;

beforeEach(async () => {
  fake = await startFakeSlack();
});

afterEach(async () => {
  await fake.close();
});

const channel = 'C0GENERAL01';

function clientOptions(retries = 0) {
  return { slackApiUrl: fake.apiUrl, retryConfig: { retries }, logLevel: webApi.LogLevel.ERROR };
}

describe('fake Slack Web API with the real WebClient', () => {
  it('takes a 3-step external upload into a thread with the bytes intact', async () => {
    const client = new webApi.WebClient(fake.options.botToken, clientOptions());
    const parent = await client.chat.postMessage({ channel, text: 'Rendering…' });
    const bytes = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 256));

    const step1 = await client.files.getUploadURLExternal({ filename: 'sora.mp4', length: bytes.length });
    const step2 = await request(step1.upload_url ?? '', { method: 'POST', body: bytes });
    expect(step2.statusCode).toBe(200);
    await step2.body.text();
    const step3 = await client.files.completeUploadExternal({
      files: [{ id: step1.file_id ?? '', title: 'A cat surfing' }],
      channel_id: channel,
      thread_ts: parent.ts ?? '',
      initial_comment: 'Here it is',
    });
    expect(step3.files?.[0]).toMatchObject({ id: step1.file_id, title: 'A cat surfing' });

    expect(fake.workspace.uploadedBytes(step1.file_id ?? '')?.equals(bytes)).toBe(true);
    const thread = fake.workspace.thread(channel, parent.ts ?? '');
    expect(thread).toHaveLength(2);
    expect(thread[1]).toMatchObject({ thread_ts: parent.ts, text: 'Here it is', upload: true });
    expect(thread[1]?.files?.[0]).toMatchObject({
      id: step1.file_id,
      mimetype: 'video/mp4',
      size: bytes.length,
    });
    const info = await client.files.info({ file: step1.file_id ?? '' });
    expect(info.file?.shares?.public?.[channel]?.[0]).toMatchObject({
      ts: thread[1]?.ts,
      thread_ts: parent.ts,
    });

    const replies = await client.conversations.replies({ channel, ts: parent.ts ?? '' });
    expect(replies.messages?.map((m) => m.text)).toEqual(['Rendering…', 'Here it is']);
  });

  it('accepts filesUploadV2 (multipart step 2) and refuses by workspace policy', async () => {
    const client = new webApi.WebClient(fake.options.botToken, clientOptions());
    const bytes = Buffer.from('not really an mp4');
    await client.files.uploadV2({ channel_id: channel, file: bytes, filename: 'clip.mp4' });
    const [upload] = fake.workspace.uploads();
    expect(upload?.contentType).toMatch(/^multipart\/form-data/);
    expect(fake.workspace.uploadedBytes(upload?.fileId ?? '')?.toString()).toBe('not really an mp4');

    fake.workspace.setUploadPolicy({ maxBytes: 10 });
    await expect(
      client.files.uploadV2({ channel_id: channel, file: bytes, filename: 'big.mp4' }),
    ).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { error: 'file_upload_size_restricted' },
    });
  });

  it('shares uploads only into conversation ids: a DM is opened (or posted to) first', async () => {
    const client = new webApi.WebClient(fake.options.botToken, clientOptions());
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await expect(
      client.files.uploadV2({ channel_id: 'U0ALICE0001', file: png, filename: 'chart.png' }),
    ).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });

    // Posting to a user id lands in the bot's DM with them; the answer names that DM.
    const posted = await client.chat.postMessage({ channel: 'U0ALICE0001', text: 'your chart' });
    expect(posted.channel).toMatch(/^D[A-Z0-9]{8,}$/);
    // conversations.open names the same DM (it needs im:write, which the default scopes lack).
    await expect(client.conversations.open({ users: 'U0ALICE0001' })).rejects.toMatchObject({
      data: { error: 'missing_scope', needed: 'im:write' },
    });
    fake.workspace.setScopes([...fake.options.scopes, 'im:write']);
    const opened = await client.conversations.open({ users: 'U0ALICE0001' });
    expect(opened.channel?.id).toBe(posted.channel);
    await expect(client.conversations.open({ users: 'U0NOBODY001' })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });

    await client.files.uploadV2({ channel_id: posted.channel ?? '', file: png, filename: 'chart.png' });
    const shared = fake.workspace.messages(posted.channel ?? '').at(-1);
    expect(shared?.files?.[0]).toMatchObject({ name: 'chart.png', mimetype: 'image/png' });
  });

  it('answers 429 with Retry-After: the WebClient waits and retries when retries are enabled', async () => {
    fake.faults.rateLimit('chat.postMessage', { retryAfterSec: 1, count: 1 });
    const client = new webApi.WebClient(fake.options.botToken, {
      ...clientOptions(),
      retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 10 },
    });
    const result = await client.chat.postMessage({ channel, text: 'hello' });
    expect(result.ok).toBe(true);
    const attempts = fake.calls('chat.postMessage');
    expect(attempts.map((c) => c.httpStatus)).toEqual([429, 200]);
    expect(fake.faults.servedCount('chat.postMessage')).toBe(1);
    // Correctness (not speed): the retry honoured Retry-After.
    expect((attempts[1]?.atMs ?? 0) - (attempts[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(950);

    fake.faults.rateLimit('chat.update', { retryAfterSec: 7 });
    const rejecting = new webApi.WebClient(fake.options.botToken, {
      ...clientOptions(),
      rejectRateLimitedCalls: true,
    });
    await expect(rejecting.chat.update({ channel, ts: result.ts ?? '', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 7,
    });
  });

  it('refuses bad tokens, unknown methods, and channels the bot cannot post in', async () => {
    fake.workspace.addChannel({ id: 'C0PUBLIC002', name: 'random', kind: 'public', botIsMember: false });
    fake.workspace.addChannel({ id: 'G0PRIVATE01', name: 'secret', kind: 'private', botIsMember: false });
    const client = new webApi.WebClient(fake.options.botToken, clientOptions());
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (e: { data?: { error?: string } }) => e.data?.error,
      );

    expect(await failure(new webApi.WebClient('xoxb-wrong', clientOptions()).auth.test())).toBe(
      'invalid_auth',
    );
    expect(await failure(client.apiCall('chat.fly'))).toBe('unknown_method');
    expect(await failure(client.chat.postMessage({ channel: 'C0PUBLIC002', text: 'x' }))).toBe(
      'not_in_channel',
    );
    expect(await failure(client.chat.postMessage({ channel: 'G0PRIVATE01', text: 'x' }))).toBe(
      'channel_not_found',
    );
    expect(await failure(client.chat.postMessage({ channel: 'C0NOPE00001', text: 'x' }))).toBe(
      'channel_not_found',
    );
    expect(await failure(client.apps.connections.open())).toBe('not_allowed_token_type');

    const auth = await client.auth.test();
    expect(auth).toMatchObject({
      user_id: fake.options.botUserId,
      bot_id: fake.options.botId,
      team_id: fake.options.teamId,
    });
    expect(auth.response_metadata?.scopes).toContain('files:write');
    const admin = await client.users.info({ user: 'U0ADMIN0001' });
    expect(admin.user?.is_admin).toBe(true);
    const info = await client.conversations.info({ channel: 'C0PUBLIC002' });
    expect(info.channel?.is_member).toBe(false);
  });

  it('serves private files only with the bot token, and enforces trigger_id age', async () => {
    let clock = 1_800_000_000_000;
    await fake.close();
    fake = await startFakeSlack({ now: () => clock });
    const image = fake.workspace.seedFile({ name: 'fox.png', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
    const url = String(image.url_private_download);

    const withToken = await request(url, { headers: { authorization: `Bearer ${fake.options.botToken}` } });
    expect(withToken.statusCode).toBe(200);
    expect(withToken.headers['content-type']).toBe('image/png');
    expect(Buffer.from(await withToken.body.arrayBuffer())).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const withoutToken = await fetch(url);
    expect(withoutToken.headers.get('content-type')).toMatch(/^text\/html/);
    await withoutToken.text();

    const client = new webApi.WebClient(fake.options.botToken, clientOptions());
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Sora' }, blocks: [] };
    const fresh = fake.payloads.slashCommand();
    await client.views.open({ trigger_id: fresh.trigger_id ?? '', view });
    const stale = fake.payloads.slashCommand();
    clock += 3001;
    await expect(client.views.open({ trigger_id: stale.trigger_id ?? '', view })).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
    await expect(client.views.open({ trigger_id: fresh.trigger_id ?? '', view })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
  });

  it('models external files, hostile file hosts and escaped command text', async () => {
    const drive = fake.workspace.seedFile({
      name: 'drive.png',
      bytes: Buffer.from('x'),
      external: { url: 'https://drive.example/uc?id=1' },
    });
    expect(drive).toMatchObject({
      is_external: true,
      mode: 'external',
      url_private: 'https://drive.example/uc?id=1',
    });
    expect(drive.url_private_download).toBeUndefined();

    const auth = { authorization: `Bearer ${fake.options.botToken}` };
    const bounce = fake.workspace.seedFile({
      name: 'b.png',
      bytes: Buffer.from('x'),
      serve: { kind: 'redirect', location: 'https://trap.example/b.png' },
    });
    const hop = await request(String(bounce.url_private_download), { headers: auth });
    expect(hop.statusCode).toBe(302);
    expect(hop.headers.location).toBe('https://trap.example/b.png');
    await hop.body.text();

    const stall = fake.workspace.seedFile({
      name: 's.png',
      bytes: Buffer.from('x'),
      serve: { kind: 'stall', afterBytes: 10 },
    });
    const stalled = await request(String(stall.url_private_download), { headers: auth });
    expect(stalled.headers['content-length']).toBeUndefined();
    for await (const chunk of stalled.body) {
      expect((chunk as Buffer).length).toBe(10);
      break; // hangs up after the first chunk, as a client with an idle timeout would
    }
    await expect
      .poll(() => fake.workspace.downloads().at(-1)?.served)
      .toMatchObject({
        bytesSent: 10,
        abortedByClient: true,
      });

    expect(fake.payloads.escapeLikeSlack('budget @bob 5/day & more')).toBe('budget @bob 5/day &amp; more');
    expect(fake.payloads.escapeLikeSlack('@alice in #general <@here> @here https://x.example/?a=1&b=2')).toBe(
      '<@U0ALICE0001|alice> in <#C0GENERAL01|general> &lt;@here&gt; <!here> <https://x.example/?a=1&amp;b=2>',
    );
  });

  it('reads a thread from any of its messages, and answers missing_scope without the scope', async () => {
    const client = new webApi.WebClient(fake.options.botToken, clientOptions());
    const parent = fake.workspace.seedMessage({ channel, user: 'U0ALICE0001', text: 'parent' });
    const reply = fake.workspace.seedMessage({
      channel,
      user: 'U0ALICE0001',
      text: 'reply',
      thread_ts: parent.ts,
    });
    const fromReply = await client.conversations.replies({ channel, ts: reply.ts });
    expect(fromReply.messages?.map((m) => m.text)).toEqual(['parent', 'reply']);
    expect(fromReply.messages?.[0]).toMatchObject({ reply_count: 1, thread_ts: parent.ts });
    const history = await client.conversations.history({ channel });
    expect(history.messages?.map((m) => m.text)).toEqual(['parent']);

    fake.workspace.setScopes(['chat:write']);
    await expect(client.reactions.get({ channel, timestamp: parent.ts })).rejects.toMatchObject({
      data: { error: 'missing_scope', needed: 'reactions:read', provided: 'chat:write' },
    });
    await expect(client.conversations.replies({ channel, ts: parent.ts })).rejects.toMatchObject({
      data: { error: 'missing_scope', needed: 'channels:history' },
    });
  });

  it("keeps ephemerals apart, deletes only the bot's messages, and caps response_url uses", async () => {
    const client = new webApi.WebClient(fake.options.botToken, clientOptions());
    const ephemeral = await client.chat.postEphemeral({ channel, user: 'U0ALICE0001', text: 'only you' });
    expect(fake.workspace.ephemerals(channel)).toEqual([
      expect.objectContaining({ message_ts: ephemeral.message_ts, user: 'U0ALICE0001', text: 'only you' }),
    ]);
    expect(fake.workspace.messages(channel)).toHaveLength(0);

    const theirs = fake.workspace.seedMessage({ channel, user: 'U0ALICE0001', text: 'mine' });
    await expect(client.chat.delete({ channel, ts: theirs.ts })).rejects.toMatchObject({
      data: { error: 'cant_delete_message' },
    });
    const ours = await client.chat.postMessage({ channel, text: 'oops' });
    await client.chat.delete({ channel, ts: ours.ts ?? '' });
    expect(fake.workspace.messages(channel).map((m) => m.text)).toEqual(['mine']);

    const { response_url: responseUrl } = fake.payloads.slashCommand();
    const statuses: number[] = [];
    for (let use = 0; use < 6; use += 1) {
      const response = await request(responseUrl ?? '', {
        method: 'POST',
        body: JSON.stringify({ text: `${use}` }),
      });
      statuses.push(response.statusCode);
      await response.body.text();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(fake.workspace.responseUrlPosts(responseUrl)).toHaveLength(5);
  });
});
