/**
 * The fake Discord's people, against the real discord.js client: roles give guild-level permissions
 * (GuildMember.permissions) while member overwrites change one channel only; the bot opens DMs and
 * sends into them, except to someone who accepts no DMs (403 / 50007); and a button pressed in a DM
 * arrives without guild or member, and can be answered.
 */
import { once } from 'node:events';
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
  Partials,
  PermissionFlagsBits,
} from 'discord.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeDiscord, Permission, startFakeDiscord } from './discord/index.js';

const ADMIN = '200000000000000001';
const MODERATOR = '200000000000000002';
const QUIET = '200000000000000003';

let fake: FakeDiscord;
let client: Client;

beforeAll(async () => {
  fake = await startFakeDiscord({
    heartbeatIntervalMs: 200,
    users: [
      { id: ADMIN, username: 'admin' },
      { id: MODERATOR, username: 'moderator' },
      { id: QUIET, username: 'quiet', dmsClosed: true },
    ],
    guilds: [
      {
        roles: [{ name: 'Admins', permissions: Permission.ManageGuild, members: [ADMIN] }],
        channels: [
          { name: 'general' },
          {
            name: 'mod',
            overwrites: [{ id: MODERATOR, type: 1, allow: Permission.ManageMessages, deny: 0n }],
          },
        ],
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

it('gives guild-level permissions through roles, and channel-level ones through overwrites', async () => {
  const guild = client.guilds.cache.get(fake.guild.id)!;
  const [general, mod] = fake.world.channelsOf(fake.guild.id).map((c) => c.id) as [string, string];
  const admin = await guild.members.fetch(ADMIN);
  const moderator = await guild.members.fetch(MODERATOR);
  expect(admin.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(true);
  expect(moderator.permissions.has(PermissionFlagsBits.ManageMessages)).toBe(false);
  expect(moderator.permissionsIn(mod).has(PermissionFlagsBits.ManageMessages)).toBe(true);
  expect(moderator.permissionsIn(general).has(PermissionFlagsBits.ManageMessages)).toBe(false);

  // An interaction in #mod carries the channel-level permissions, overwrite included.
  const arrived = new Promise<Interaction>((resolve) => client.once(Events.InteractionCreate, resolve));
  fake.interactions.slashCommand({ channelId: mod, userId: MODERATOR });
  const interaction = await arrived;
  expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages)).toBe(true);
});

it('opens a DM and sends into it; someone who accepts no DMs answers 403 / 50007', async () => {
  const dm = await client.users.createDM(ADMIN);
  await dm.send('hello');
  expect(fake.dmsOf(ADMIN).map((m) => m.content)).toEqual(['hello']);
  expect(fake.dmChannelOf(ADMIN)?.id).toBe(dm.id);

  const closed = await client.users.createDM(QUIET);
  const error = await closed.send('hello').then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiscordAPIError);
  expect((error as DiscordAPIError).code).toBe(50007);
  expect(fake.dmsOf(QUIET)).toEqual([]);
});

it('dispatches a button pressed in a DM without guild or member, and takes its answer', async () => {
  const dm = await client.users.createDM(ADMIN);
  const sent = await dm.send({
    content: 'press',
    components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: 'go' }] }],
  });
  const arrived = new Promise<Interaction>((resolve) => client.once(Events.InteractionCreate, resolve));
  const handle = fake.interactions.button({
    customId: 'go',
    messageId: sent.id,
    channelId: dm.id,
    userId: ADMIN,
  });
  const interaction = await arrived;
  expect(interaction.guildId).toBeNull();
  expect(interaction.member).toBeNull();
  expect(interaction.user.id).toBe(ADMIN);
  if (!interaction.isButton()) throw new Error('expected a button');
  await interaction.reply({ content: 'done', flags: 64 });
  expect((await handle.callback).type).toBe(4);
});
