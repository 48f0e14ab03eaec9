import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type Logger, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
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
    // Bolt's ignoreSelf drops the bot's own events (it learned its user id from the fake's auth.test).
    const own = fake.payloads.reactionAdded({
      channel,
      ts: message.ts,
      reaction: 'robot_face',
      userId: fake.options.botUserId,
    });
    await fake.socket.sendEvent(own);
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
      { name: 'robot_face', users: [fake.options.botUserId], count: 1 },
      { name: 'movie_camera', users: ['U0ALICE0001'], count: 1 },
    ]);
  });

  it('delivers block_actions to app.action (its trigger_id opens a modal) and view_submission to app.view', async () => {
    await startSocketApp((app) => {
      app.view('remix_modal', async ({ ack, view }) => {
        const prompt = view.state.values.prompt?.prompt_input?.value ?? '';
        await ack(
          prompt === '' ? { response_action: 'errors', errors: { prompt: 'Describe the video' } } : undefined,
        );
      });
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

    const viewId = String((open.response.view as { id: string }).id);
    const submission = fake.payloads.viewSubmission({
      viewId,
      values: { prompt: { prompt_input: { type: 'plain_text_input', value: '' } } },
    });
    expect(submission.view.private_metadata).toBe(JSON.stringify({ channel }));
    const ack = await fake.socket.sendInteractive(submission);
    expect(ack.payload).toEqual({ response_action: 'errors', errors: { prompt: 'Describe the video' } });
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
    const retryNums: Array<number | undefined> = [];
    app.event('reaction_added', async ({ context }) => {
      retryNums.push(context.retryNum);
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

    const reaction = fake.payloads.reactionAdded({ channel, ts: message.ts, reaction: 'eyes' });
    const retried = await fake.http.sendEvent(url, reaction, { retryNum: 1, retryReason: 'http_timeout' });
    expect(retried.status).toBe(200);
    await expect.poll(() => retryNums).toEqual([1]);

    await expect.poll(() => fake.workspace.responseUrlPosts(command.response_url)).toHaveLength(1);
    expect(fake.workspace.responseUrlPosts(command.response_url)[0]?.body).toEqual({
      response_type: 'ephemeral',
      text: 'queued',
    });
    expect(commands).toEqual(['good']);
    await expect.poll(() => actions).toEqual(['job-9']);
  });
});
