import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type Logger, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './slack/index.js';

// Proves the fake against the real @slack/bolt 5 / @slack/web-api 8 / @slack/socket-mode 3: if Bolt is
// happy with the fake's wire format, the Slack adapter's end-to-end tests can trust it.

let fake: FakeSlack;
const stoppers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  fake = await startFakeSlack();
});

afterEach(async () => {
  for (const stop of stoppers.splice(0).reverse()) await stop();
  await fake.close();
});

const channel = 'C0GENERAL01';

function clientOptions(retries = 0) {
  return { slackApiUrl: fake.apiUrl, retryConfig: { retries }, logLevel: webApi.LogLevel.ERROR };
}

/** The dropped-socket test makes socket-mode log a WebSocket error on purpose: keep the output clean. */
const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/**
 * A Socket Mode app. With `fastReconnect`, the receiver is built by hand: App's own options cannot set
 * clientPingTimeout, and the socket-mode client waits clientPingTimeout × failures (default 5 s) before
 * reconnecting. The receiver then needs slackApiUrl in installerOptions.clientOptions, or
 * apps.connections.open goes to the real slack.com.
 */
async function startSocketApp(register: (app: App) => void, fastReconnect = false): Promise<App> {
  const receiver = fastReconnect
    ? new SocketModeReceiver({
        appToken: fake.options.appToken,
        clientPingTimeout: 300,
        logger: silentLogger,
        installerOptions: { clientOptions: clientOptions() },
      })
    : undefined;
  const app = new App({
    token: fake.options.botToken,
    appToken: fake.options.appToken,
    socketMode: true,
    ...(receiver === undefined ? {} : { receiver }),
    clientOptions: clientOptions(),
    logLevel: LogLevel.ERROR,
  });
  register(app);
  await app.start();
  stoppers.push(async () => {
    await app.stop();
    // SocketModeReceiver.stop() does not wait for the close handshake: wait for it here.
    await fake.socket.waitForNoConnections();
  });
  return app;
}

describe('fake Slack with Bolt in Socket Mode', () => {
  it('delivers a slash command, records the ack, the post and the update', async () => {
    await startSocketApp((app) => {
      app.command('/sora', async ({ ack, command, client }) => {
        await ack({ response_type: 'ephemeral', text: 'Working on it' });
        const posted = await client.chat.postMessage({
          channel: command.channel_id,
          text: `Queued: ${command.text}`,
        });
        await client.chat.update({ channel: command.channel_id, ts: posted.ts ?? '', text: 'Done' });
      });
    });
    const command = fake.payloads.slashCommand({ text: 'a cat surfing' });
    const ack = await fake.socket.send({ type: 'slash_commands', payload: command });
    expect(ack.payload).toEqual({ response_type: 'ephemeral', text: 'Working on it' });
    expect(ack.delivery).toBe(1);

    const update = await fake.waitForCall('chat.update');
    expect(update.response.ok).toBe(true);
    const [post] = fake.calls('chat.postMessage');
    expect(post?.args).toMatchObject({ channel, text: 'Queued: a cat surfing' });
    expect(post?.tokenKind).toBe('bot');
    expect(update.args.ts).toBe(post?.response.ts);
    expect(fake.calls('auth.test')).toHaveLength(1);
    expect(fake.calls('apps.connections.open')[0]?.tokenKind).toBe('app');
    const stored = fake.workspace.message(channel, String(post?.response.ts));
    expect(stored).toMatchObject({ text: 'Done', user: fake.options.botUserId, bot_id: fake.options.botId });
    expect(stored?.edited).toBeDefined();
  });

  it('delivers reaction_added to app.event, and the bot can read the reacted message', async () => {
    const seen: string[] = [];
    await startSocketApp((app) => {
      app.event('reaction_added', async ({ event, client }) => {
        const history = await client.conversations.history({
          channel: event.item.channel,
          latest: event.item.ts,
          inclusive: true,
          limit: 1,
        });
        seen.push(`${event.reaction}:${history.messages?.[0]?.text}`);
      });
    });
    const message = fake.workspace.seedMessage({ channel, user: 'U0ALICE0001', text: 'a red fox' });
    fake.workspace.seedMessage({ channel, user: 'U0ALICE0001', text: 'later message' });
    const payload = fake.payloads.reactionAdded({ channel, ts: message.ts, reaction: 'movie_camera' });
    expect(payload.event.item_user).toBe('U0ALICE0001');
    await fake.socket.send({ type: 'events_api', payload });
    await fake.waitForCall('conversations.history');
    await expect.poll(() => seen).toEqual(['movie_camera:a red fox']);
    const reactions = await new webApi.WebClient(fake.options.botToken, clientOptions()).reactions.get({
      channel,
      timestamp: message.ts,
    });
    expect(reactions.message?.reactions).toEqual([
      { name: 'movie_camera', users: ['U0ALICE0001'], count: 1 },
    ]);
  });

  it('delivers block_actions to app.action, whose trigger_id opens a modal', async () => {
    await startSocketApp((app) => {
      app.action('remix', async ({ ack, body, client }) => {
        await ack();
        if (body.type !== 'block_actions') return;
        await client.views.open({
          trigger_id: body.trigger_id,
          view: {
            type: 'modal',
            callback_id: 'remix_modal',
            title: { type: 'plain_text', text: 'Remix' },
            private_metadata: JSON.stringify({ channel }),
            blocks: [],
          },
        });
      });
    });
    const parent = fake.workspace.seedMessage({ channel, user: fake.options.botUserId, text: 'your video' });
    const click = fake.payloads.blockActions({
      channel,
      messageTs: parent.ts,
      actions: [{ action_id: 'remix', value: 'job-1' }],
    });
    await fake.socket.send({ type: 'interactive', payload: click });
    const open = await fake.waitForCall('views.open');
    expect(open.response).toMatchObject({ ok: true, view: { callback_id: 'remix_modal' } });
    expect(fake.workspace.views()).toHaveLength(1);

    const submission = fake.payloads.viewSubmission({
      viewId: String((open.response.view as { id: string }).id),
      values: {},
    });
    expect(submission.view.private_metadata).toBe(JSON.stringify({ channel }));
  });

  it('delivers a message shortcut and an app_mention with files; the files download with the bot token', async () => {
    const downloaded: string[] = [];
    const shortcuts: string[] = [];
    await startSocketApp((app) => {
      app.event('app_mention', async ({ event, client }) => {
        const file = event.files?.[0];
        const response = await fetch(String(file?.url_private_download), {
          headers: { authorization: `Bearer ${(client as { token?: string }).token}` },
        });
        downloaded.push(
          `${response.headers.get('content-type')}:${(await response.arrayBuffer()).byteLength}`,
        );
      });
      app.shortcut('animate_image', async ({ ack, shortcut }) => {
        await ack();
        if (shortcut.type === 'message_action') shortcuts.push(String(shortcut.message.files?.[0]?.name));
      });
    });
    const image = fake.workspace.seedFile({ name: 'fox.png', bytes: Buffer.alloc(1234, 1) });
    const mention = fake.payloads.appMention({ channel, text: 'animate this', files: [image] });
    await fake.socket.send({ type: 'events_api', payload: mention });
    await expect.poll(() => downloaded).toEqual(['image/png:1234']);
    expect(fake.workspace.downloads()).toEqual([
      expect.objectContaining({ fileId: image.id, authorized: true }),
    ]);

    const action = fake.payloads.messageAction({
      channel,
      messageTs: mention.event.ts,
      callbackId: 'animate_image',
    });
    await fake.socket.send({ type: 'interactive', payload: action });
    await expect.poll(() => shortcuts).toEqual(['fox.png']);
  });

  it('redelivers the same envelope and Bolt runs the handler twice (no dedup in Bolt)', async () => {
    const retries: Array<number | undefined> = [];
    await startSocketApp((app) => {
      app.event('reaction_added', async ({ context }) => {
        retries.push(context.retryNum);
      });
    });
    const message = fake.workspace.seedMessage({ channel, user: 'U0ALICE0001', text: 'x' });
    const first = await fake.socket.send({
      type: 'events_api',
      payload: fake.payloads.reactionAdded({ channel, ts: message.ts, reaction: 'tada' }),
    });
    const second = await fake.socket.redeliver(first.envelopeId, { retryAttempt: 1, retryReason: 'timeout' });
    expect(second).toMatchObject({ envelopeId: first.envelopeId, delivery: 2 });
    await expect.poll(() => retries).toEqual([0, 1]);
  });

  it('reconnects after a disconnect request and after a dropped socket, and still receives envelopes', async () => {
    const commands: string[] = [];
    await startSocketApp((app) => {
      app.command('/sora', async ({ ack, command }) => {
        await ack();
        commands.push(command.text);
      });
    }, true);
    expect(fake.socket.totalConnections).toBe(1);

    expect(fake.socket.requestDisconnect('refresh_requested')).toBe(1);
    await fake.socket.waitForConnection(2);
    await fake.socket.send({
      type: 'slash_commands',
      payload: fake.payloads.slashCommand({ text: 'after refresh' }),
    });

    expect(fake.socket.dropConnections()).toBe(1);
    await fake.socket.waitForConnection(3);
    await fake.socket.send({
      type: 'slash_commands',
      payload: fake.payloads.slashCommand({ text: 'after drop' }),
    });

    expect(commands).toEqual(['after refresh', 'after drop']);
    expect(fake.calls('apps.connections.open')).toHaveLength(3);
  });
});

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
});

describe('fake Slack HTTP-mode driver with Bolt HTTPReceiver', () => {
  it('signs requests that Bolt accepts, and a bad or stale signature is rejected', async () => {
    const commands: string[] = [];
    const actions: string[] = [];
    const app = new App({
      token: fake.options.botToken,
      signingSecret: fake.options.signingSecret,
      clientOptions: clientOptions(),
      logLevel: LogLevel.ERROR,
    });
    app.command('/sora', async ({ ack, command, respond }) => {
      await ack();
      commands.push(command.text);
      await respond({ response_type: 'ephemeral', text: 'queued' });
    });
    app.action('remix', async ({ ack, action }) => {
      await ack();
      if (action.type === 'button') actions.push(action.value ?? '');
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    stoppers.push(async () => {
      await app.stop();
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;

    const command = fake.payloads.slashCommand({ text: 'good' });
    expect((await fake.http.sendSlashCommand(url, command)).status).toBe(200);
    expect(
      (await fake.http.sendSlashCommand(url, { ...command, text: 'forged' }, { badSignature: true })).status,
    ).toBe(401);
    expect(
      (await fake.http.sendSlashCommand(url, { ...command, text: 'stale' }, { ageSec: 301 })).status,
    ).toBe(401);

    const message = fake.workspace.seedMessage({ channel, user: fake.options.botUserId, text: 'video' });
    const click = fake.payloads.blockActions({
      channel,
      messageTs: message.ts,
      actions: [{ action_id: 'remix', value: 'job-9' }],
    });
    expect((await fake.http.sendInteractive(url, click)).status).toBe(200);

    await expect.poll(() => fake.workspace.responseUrlPosts(command.response_url)).toHaveLength(1);
    expect(fake.workspace.responseUrlPosts(command.response_url)[0]?.body).toEqual({
      response_type: 'ephemeral',
      text: 'queued',
    });
    expect(commands).toEqual(['good']);
    await expect.poll(() => actions).toEqual(['job-9']);
  });
});
