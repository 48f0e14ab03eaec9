import { once } from 'node:events';
import {
  ActionRowBuilder,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  type MessageReaction,
  ModalBuilder,
  Partials,
  PermissionFlagsBits,
  Routes,
  type TextChannel,
  TextInputBuilder,
  TextInputStyle,
  type User,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, Intent, Permission, startFakeDiscord } from './discord/index.js';

// Real discord.js 14 against the wire-level fake. One fake and one logged-in client are shared: logging
// in costs a gateway handshake, and the cases below run in order like one bot session would.

const ATTACHMENT_LIMIT = 64 * 1024;
const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(200, 7),
]);
const VIDEO_BYTES = Buffer.alloc(4096, 42);

let skewMs = 0;
let fake: FakeDiscord;
let client: Client;

function nextInteraction(): Promise<Interaction> {
  return new Promise((resolve) => client.once(Events.InteractionCreate, resolve));
}

function defaultChannel(): TextChannel {
  return client.channels.cache.get(fake.channelId) as TextChannel;
}

async function rejection(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiscordAPIError);
  return error as DiscordAPIError;
}

beforeAll(async () => {
  fake = await startFakeDiscord({
    now: () => Date.now() + skewMs,
    heartbeatIntervalMs: 200,
    guilds: [
      {
        name: 'Sora Lab',
        attachmentSizeLimit: ATTACHMENT_LIMIT,
        channels: [{ name: 'general' }, { name: 'no-files', botOverwrite: { deny: Permission.AttachFiles } }],
      },
    ],
  });
  client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction],
    rest: { api: fake.apiBase, retries: 0 },
  });
  const ready = once(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
});

afterAll(async () => {
  await client?.destroy();
  await fake?.close();
});

describe('fake Discord against the real discord.js client', () => {
  it('logs in: gateway/bot, IDENTIFY with intents, READY then GUILD_CREATE with resolvable permissions', async () => {
    expect(fake.recorder.callsTo('GET', '/gateway/bot')).toHaveLength(1);
    const session = await fake.gateway.waitForSession();
    expect(session.intents).toBe(Intent.Guilds | Intent.GuildMessageReactions);
    expect(fake.gateway.connections[0]?.query).toMatchObject({ v: '10', encoding: 'json' });
    expect(client.user?.id).toBe(fake.bot.id);
    expect(client.application?.id).toBe(fake.applicationId);
    const guild = client.guilds.cache.get(fake.guild.id);
    expect(guild?.name).toBe('Sora Lab');
    const permissions = defaultChannel().permissionsFor(client.user!);
    expect(permissions?.has(PermissionFlagsBits.AttachFiles)).toBe(true);
    expect(permissions?.has(PermissionFlagsBits.ManageMessages)).toBe(false);
    const me = await guild!.members.fetch({ user: fake.bot.id, force: true });
    expect(me.roles.cache.some((role) => role.managed)).toBe(true);
    // Heartbeats are acknowledged, so discord.js never declares the connection a zombie.
    await fake.waitFor(() => fake.gateway.connections[0]!.heartbeats > 0, 2_000);
  });

  it('registers guild commands idempotently over REST', async () => {
    const body = [
      {
        name: 'sora',
        description: 'Make a video',
        options: [
          {
            type: 1,
            name: 'generate',
            description: 'From a prompt',
            options: [{ type: 3, name: 'prompt', description: 'What to film', required: true }],
          },
        ],
      },
      { name: 'Remix with Sora', type: 3 },
    ];
    const route = Routes.applicationGuildCommands(fake.applicationId, fake.guild.id);
    const first = (await client.rest.put(route, { body })) as Array<{ id: string; name: string }>;
    const second = (await client.rest.put(route, { body })) as Array<{ id: string; name: string }>;
    expect(first.map((c) => c.name)).toEqual(['sora', 'Remix with Sora']);
    expect(second.map((c) => c.id)).toEqual(first.map((c) => c.id));
    expect(await client.rest.get(route)).toHaveLength(2);
    const invalid = await rejection(
      client.rest.put(route, { body: [{ name: 'Bad Name', description: 'x' }] }),
    );
    expect(invalid.code).toBe(50035);
  });

  it('runs /sora generate: deferReply, download the image, editReply, channel.send with a file', async () => {
    const image = fake.seedAttachment({
      filename: 'cat.png',
      bytes: PNG_BYTES,
      contentType: 'image/png',
      width: 4,
      height: 4,
    });
    const arrived = nextInteraction();
    const handle = fake.interactions.slashCommand({
      options: { prompt: 'a cat @everyone', seconds: 8, image },
    });
    const interaction = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.commandName).toBe('sora');
    expect(interaction.options.getSubcommand()).toBe('generate');
    expect(interaction.options.getString('prompt')).toBe('a cat @everyone');
    expect(interaction.options.getInteger('seconds')).toBe(8);
    expect(interaction.attachmentSizeLimit).toBe(ATTACHMENT_LIMIT);
    expect(interaction.commandId).toBe(fake.commands(fake.guild.id)[0]?.id);

    await interaction.deferReply();
    const callback = await handle.callback;
    expect(callback.type).toBe(5);
    expect(callback.msSinceDispatch).toBeGreaterThanOrEqual(0);

    const attachment = interaction.options.getAttachment('image', true);
    const download = await fetch(attachment.url);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PNG_BYTES);

    await interaction.editReply({ content: 'Rendering a cat @everyone', allowedMentions: { parse: [] } });
    const sent = await defaultChannel().send({
      content: 'Here is your video',
      files: [{ attachment: VIDEO_BYTES, name: 'sora.mp4' }],
      allowedMentions: { parse: [] },
    });
    expect(sent.attachments.first()?.size).toBe(VIDEO_BYTES.length);

    const edit = fake.recorder.callsTo('PATCH', '/webhooks/:applicationId/:token/messages/:messageId')[0];
    expect(edit?.params['messageId']).toBe('@original');
    expect(edit?.botAuth).toBe(false);
    const upload = fake.recorder.callsTo('POST', '/channels/:channelId/messages')[0];
    expect(upload?.multipart).toBe(true);
    expect(upload?.files[0]).toMatchObject({
      field: 'files[0]',
      filename: 'sora.mp4',
      size: VIDEO_BYTES.length,
    });
    expect(upload?.files[0]?.bytes.equals(VIDEO_BYTES)).toBe(true);
    expect(fake.recorder.messageWrites.length).toBeGreaterThanOrEqual(2);
    for (const write of fake.recorder.messageWrites) expect(write.allowedMentions).toEqual({ parse: [] });

    const original = fake.message(handle.record.originalMessageId!);
    expect(original?.content).toBe('Rendering a cat @everyone');
    const served = await fetch(sent.attachments.first()!.url);
    expect(Buffer.from(await served.arrayBuffer()).equals(VIDEO_BYTES)).toBe(true);
  });

  it('turns a reaction on an uncached message into a partial that fetches the message', async () => {
    const image = fake.seedAttachment({ filename: 'dog.png', bytes: PNG_BYTES, contentType: 'image/png' });
    const posted = fake.seedMessage({ content: 'my dog', attachments: [image] });
    const reacted = once(client, Events.MessageReactionAdd);
    fake.reactionAdd({ messageId: posted.id, emoji: '🎬' });
    const [reaction, user] = (await reacted) as [MessageReaction, User];
    expect(reaction.partial).toBe(true);
    expect(reaction.message.partial).toBe(true);
    expect(user.id).toBe(fake.user.id);
    await reaction.fetch();
    expect(reaction.count).toBe(1);
    expect(reaction.message.content).toBe('my dog');
    expect(reaction.message.attachments.first()?.name).toBe('dog.png');
    expect(fake.recorder.callsTo('GET', '/channels/:channelId/messages/:messageId')).toHaveLength(1);
  });

  it('starts a thread on a message, posts in it and reacts', async () => {
    const message = await defaultChannel().send({ content: 'Job started', allowedMentions: { parse: [] } });
    const thread = await message.startThread({ name: 'sora job' });
    expect(thread.id).toBe(message.id);
    await thread.send({ content: 'progress 50%', allowedMentions: { parse: [] } });
    await message.react('🎬');
    expect(fake.messagesIn(thread.id).map((m) => m.content)).toEqual(['progress 50%']);
    expect(fake.message(message.id)?.reactions.get('🎬')?.userIds.has(fake.bot.id)).toBe(true);
  });

  it('answers an oversized attachment with 413 / 40005', async () => {
    const error = await rejection(
      defaultChannel().send({
        files: [{ attachment: Buffer.alloc(ATTACHMENT_LIMIT + 1), name: 'big.mp4' }],
        allowedMentions: { parse: [] },
      }),
    );
    expect(error.code).toBe(40005);
    expect(error.status).toBe(413);
  });

  it('applies channel overwrites: app_permissions without AttachFiles, and an upload there fails with 50013', async () => {
    const noFiles = client.channels.cache.find((c) => 'name' in c && c.name === 'no-files') as TextChannel;
    expect(noFiles.permissionsFor(client.user!)?.has(PermissionFlagsBits.AttachFiles)).toBe(false);
    const arrived = nextInteraction();
    fake.interactions.slashCommand({ channelId: noFiles.id, options: { prompt: 'here' } });
    const interaction = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.appPermissions.has(PermissionFlagsBits.AttachFiles)).toBe(false);
    expect(interaction.appPermissions.has(PermissionFlagsBits.SendMessages)).toBe(true);
    await interaction.reply({ content: 'no uploads here', allowedMentions: { parse: [] } });
    const denied = await rejection(
      noFiles.send({ files: [{ attachment: VIDEO_BYTES, name: 'v.mp4' }], allowedMentions: { parse: [] } }),
    );
    expect(denied.code).toBe(50013);
    expect(denied.status).toBe(403);
  });

  it('rejects a second callback with 40060 and an expired interaction token with 50027', async () => {
    const arrived = nextInteraction();
    const handle = fake.interactions.slashCommand({ options: { prompt: 'late' } });
    const interaction = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.deferReply();
    const again = await rejection(
      client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: { type: 4, data: { content: 'twice' } },
        auth: false,
      }),
    );
    expect(again.code).toBe(40060);
    expect(
      fake.recorder.callbacks.filter((c) => c.interactionId === handle.id).map((c) => c.accepted),
    ).toEqual([true, false]);

    skewMs += 15 * 60_000 + 1;
    const expired = await rejection(
      interaction.editReply({ content: 'done', allowedMentions: { parse: [] } }),
    );
    expect(expired.code).toBe(50027);
    expect(expired.status).toBe(401);
    // The bot token is still usable: 401 on an `auth: false` route does not make discord.js drop it.
    await defaultChannel().send({ content: 'posted with the bot token', allowedMentions: { parse: [] } });
  });

  it('opens a modal from a button and reads the submitted fields', async () => {
    const clicked = nextInteraction();
    const button = fake.interactions.button({ customId: 'remix:job-1' });
    const click = await clicked;
    if (!click.isButton()) throw new Error('expected a button');
    expect(click.customId).toBe('remix:job-1');
    expect(click.message.id).toBe(button.record.sourceMessageId);
    await click.showModal(
      new ModalBuilder()
        .setCustomId('remix-modal:job-1')
        .setTitle('Remix')
        .addComponents(
          new ActionRowBuilder<TextInputBuilder>().addComponents(
            new TextInputBuilder()
              .setCustomId('prompt')
              .setLabel('Prompt')
              .setStyle(TextInputStyle.Paragraph),
          ),
        ),
    );
    const shown = await button.callback;
    expect(shown.type).toBe(9);
    expect(shown.data).toMatchObject({ custom_id: 'remix-modal:job-1', title: 'Remix' });

    const submitted = nextInteraction();
    const submit = fake.interactions.modalSubmit({
      customId: 'remix-modal:job-1',
      fields: { prompt: 'at night' },
    });
    const modal = await submitted;
    if (!modal.isModalSubmit()) throw new Error('expected a modal submit');
    expect(modal.fields.getTextInputValue('prompt')).toBe('at night');
    await modal.reply({ content: 'Remixing', flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    expect((await submit.callback).type).toBe(4);
    expect(fake.message(submit.record.originalMessageId!)?.flags).toBe(MessageFlags.Ephemeral);
    const hidden = await rejection(
      defaultChannel().messages.fetch({ message: submit.record.originalMessageId!, force: true }),
    );
    expect(hidden.code).toBe(10008);
  });

  it('updates the clicked message (callback 7), defers an update (6) and edits it through @original', async () => {
    const clicked = nextInteraction();
    const first = fake.interactions.button({ customId: 'cancel:job-2' });
    const click = await clicked;
    if (!click.isButton()) throw new Error('expected a button');
    await click.update({ content: 'Cancelled', components: [], allowedMentions: { parse: [] } });
    expect((await first.callback).type).toBe(7);
    const sourceId = first.record.sourceMessageId!;
    expect(fake.message(sourceId)?.content).toBe('Cancelled');

    const clickedAgain = nextInteraction();
    const second = fake.interactions.button({ customId: 'retry:job-2', messageId: sourceId });
    const again = await clickedAgain;
    if (!again.isButton()) throw new Error('expected a button');
    await again.deferUpdate();
    expect((await second.callback).type).toBe(6);
    await again.editReply({ content: 'Retrying', allowedMentions: { parse: [] } });
    expect(fake.message(sourceId)?.content).toBe('Retrying');
  });

  it('makes the first follow-up after a defer edit the loading message, later ones new messages', async () => {
    const arrived = nextInteraction();
    const handle = fake.interactions.slashCommand({ options: { prompt: 'follow' } });
    const interaction = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const originalId = handle.record.originalMessageId!;
    expect(fake.message(originalId)?.flags).toBe(MessageFlags.Ephemeral | MessageFlags.Loading);

    const firstFollowUp = await interaction.followUp({ content: 'result', allowedMentions: { parse: [] } });
    expect(firstFollowUp.id).toBe(originalId);
    expect(fake.message(originalId)?.flags).toBe(MessageFlags.Ephemeral);
    expect((await interaction.fetchReply()).content).toBe('result');

    const secondFollowUp = await interaction.followUp({ content: 'more', allowedMentions: { parse: [] } });
    expect(secondFollowUp.id).not.toBe(originalId);
    await interaction.deleteReply();
    expect(fake.message(originalId)).toBeUndefined();
    expect(fake.message(secondFollowUp.id)?.content).toBe('more');
  });

  it('resumes after a forced reconnect and delivers what was dispatched meanwhile', async () => {
    const arrived = nextInteraction();
    fake.interactions.slashCommand({ options: { prompt: 'long render' } });
    const interaction = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.deferReply();

    const session = fake.gateway.sessions[0]!;
    const reconnected = fake.forceReconnect();
    await fake.waitFor(() => session.socket === null, 2_000);
    const posted = fake.seedMessage({ content: 'react while offline' });
    const reacted = once(client, Events.MessageReactionAdd);
    fake.reactionAdd({ messageId: posted.id, emoji: '🔁' });
    const [outcome] = await reconnected;
    expect(outcome?.replayed).toBeGreaterThanOrEqual(1);
    const [reaction] = (await reacted) as [MessageReaction];
    expect(reaction.message.id).toBe(posted.id);
    expect(fake.gateway.connections.at(-1)).toMatchObject({ kind: 'resume', path: '/gateway/resume' });
    expect(fake.gateway.sessions).toHaveLength(1);

    // Still live after the resume: a new interaction arrives and can be answered.
    const next = nextInteraction();
    const handle = fake.interactions.slashCommand({ options: { prompt: 'after resume' } });
    const after = await next;
    if (!after.isChatInputCommand()) throw new Error('expected a chat input command');
    const response = await after.reply({
      content: 'still here',
      allowedMentions: { parse: [] },
      withResponse: true,
    });
    expect(response.resource?.message?.content).toBe('still here');
    expect(response.interaction.responseMessageId).toBe(handle.record.originalMessageId);
    expect((await handle.callback).type).toBe(4);

    // A server-side close with a resumable code resumes too.
    await fake.forceReconnect({ mode: 'close', closeCode: 4000 });
    expect(fake.gateway.connections.at(-1)).toMatchObject({ kind: 'resume' });
    expect(fake.gateway.sessions).toHaveLength(1);
  });

  it('serves a message context menu with the target message and expires CDN links', async () => {
    const image = fake.seedAttachment({ filename: 'still.png', bytes: PNG_BYTES, contentType: 'image/png' });
    const target = fake.seedMessage({ content: 'animate me', attachments: [image] });
    const arrived = nextInteraction();
    fake.interactions.messageCommand({ name: 'Remix with Sora', messageId: target.id });
    const interaction = await arrived;
    if (!interaction.isMessageContextMenuCommand()) throw new Error('expected a message context menu');
    await interaction.deferReply();
    const url = interaction.targetMessage.attachments.first()!.url;
    expect((await fetch(url)).status).toBe(200);
    skewMs += 25 * 3_600_000;
    const expired = await fetch(url);
    expect(expired.status).toBe(404);
    expect(await expired.text()).toBe('This content is no longer available.');
  });

  it('forgets an interaction that was not acknowledged within 3 s (10062)', async () => {
    const arrived = nextInteraction();
    const handle = fake.interactions.slashCommand({ options: { prompt: 'slow ack' } });
    const interaction = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    skewMs += 3_001;
    const late = await rejection(interaction.deferReply());
    expect(late.code).toBe(10062);
    expect(late.status).toBe(404);
    expect(handle.record.firstCallback).toBeNull();
  });

  it('lets a test inject a 429 that discord.js waits out and retries', async () => {
    fake.injectRateLimit({ method: 'POST', route: '/channels/:channelId/messages', retryAfterMs: 50 });
    const before = fake.recorder.callsTo('POST', '/channels/:channelId/messages').length;
    await defaultChannel().send({ content: 'after a rate limit', allowedMentions: { parse: [] } });
    const statuses = fake.recorder
      .callsTo('POST', '/channels/:channelId/messages')
      .slice(before)
      .map((c) => c.status);
    expect(statuses).toEqual([429, 200]);
  });

  it('returns the first message for a repeated nonce with enforce_nonce, and pages history after an id', async () => {
    const channel = defaultChannel();
    const first = await channel.send({ content: 'nonce one', nonce: 'sora-n0nce1', enforceNonce: true });
    const again = await channel.send({
      content: 'nonce one again',
      nonce: 'sora-n0nce1',
      enforceNonce: true,
    });
    expect(again.id).toBe(first.id);
    expect(fake.messagesIn(fake.channelId).filter((m) => m.content.startsWith('nonce one'))).toHaveLength(1);
    // Without enforce_nonce the nonce is only echoed: a second message is made.
    const loose = await channel.send({ content: 'nonce one loose', nonce: 'sora-n0nce1' });
    expect(loose.id).not.toBe(first.id);

    const later = await channel.send({ content: 'after the first' });
    const page = await channel.messages.fetch({ after: first.id, limit: 100, cache: false });
    expect([...page.keys()]).toEqual([later.id, loose.id]);
    const before = await channel.messages.fetch({ before: later.id, limit: 2, cache: false });
    expect([...before.keys()]).toEqual([loose.id, first.id]);
  });

  it('can carry a request out and then lose its answer (afterHandling)', async () => {
    fake.injectError({
      method: 'POST',
      route: '/channels/:channelId/messages',
      status: 500,
      code: 0,
      message: 'lost on the way back',
      afterHandling: true,
    });
    const error = await defaultChannel()
      .send({ content: 'made, but the answer was lost' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    expect(fake.messagesIn(fake.channelId).some((m) => m.content === 'made, but the answer was lost')).toBe(
      true,
    );
  });

  it('answers unknown routes with 404 code 0 and missing bot auth with 401', async () => {
    const unknown = await rejection(client.rest.get('/not-a-route'));
    expect(unknown.status).toBe(404);
    expect(unknown.code).toBe(0);
    const response = await fetch(`${fake.apiBase}/v10/users/@me`);
    expect(response.status).toBe(401);
  });
});
