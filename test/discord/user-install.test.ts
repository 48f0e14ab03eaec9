/**
 * The user install, over the wire: the real discord.js inside startBot against the fake Discord. A
 * `/sora` in a group DM the bot is not in is answered and delivered through the interaction's webhook;
 * once its 15-minute token has expired the video comes to the requester's DM with a note; with DMs
 * closed too, `/sora status` hands the video over. Registration declares both installs and every
 * context. One bot for the file; cases run in order like one session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWithToken } from '../../adapters/discord/command-registration.js';
import { type ChannelRecord, Permission } from '../fakes/discord/index.js';
import {
  customIdsOf,
  type DiscordTestBot,
  startDiscordTestBot,
  until,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

const ALICE = '200000000000000001';
const BOB = '200000000000000002';
const EPHEMERAL = 1 << 6;
const SIXTEEN_MINUTES = 16 * 60_000;

let t: DiscordTestBot;
let groupDm: ChannelRecord;
const logLines: string[] = [];

beforeAll(async () => {
  t = await startDiscordTestBot({
    fake: {
      users: [
        { id: ALICE, username: 'alice', globalName: 'Alice' },
        { id: BOB, username: 'bob', dmsClosed: true },
      ],
      // The bot's own server, and one it was never added to (people there have it as a user install).
      guilds: [
        {
          channels: [
            { name: 'general' },
            { name: 'read-only', botOverwrite: { deny: Permission.SendMessages } },
          ],
        },
        { name: 'Elsewhere', botMember: false },
      ],
    },
    logLines,
    // Autocomplete is checked over more than 25 videos of one person, asked for at once.
    env: { SORA_MAX_PENDING_PER_USER: '100' },
  });
  groupDm = t.fake.addGroupDm([ALICE, BOB]);
});

afterAll(async () => {
  await t?.close();
});

/** REST calls the bot made with its own token into the group DM (it is no member there: none). */
function botTokenCallsInto(channelId: string) {
  return t.fake.recorder.calls.filter((c) => c.botAuth && c.params['channelId'] === channelId);
}

describe('registration', () => {
  it('declares guild and user installs and every context; video options autocomplete', async () => {
    const result = await registerWithToken({
      token: t.fake.token,
      applicationId: t.fake.applicationId,
      apiUrl: t.fake.apiBase,
      guildId: undefined,
      capabilities: t.bot.core.capabilities,
    });
    expect(result.ok).toBe(true);
    const put = t.fake.recorder.calls.find(
      (c) => c.method === 'PUT' && c.route === '/applications/:applicationId/commands',
    );
    const sent = put?.json as { name: string; integration_types?: number[]; contexts?: number[] }[];
    expect(sent.map((c) => [c.name, c.integration_types, c.contexts])).toEqual([
      ['sora', [0, 1], [0, 1, 2]],
      ['Remix with Sora', [0, 1], [0, 1, 2]],
      ['Animate with Sora', [0, 1], [0, 1, 2]],
    ]);
    const sora = t.fake.commands('global').find((c) => c.name === 'sora') as unknown as {
      integration_types: number[];
      options: { name: string; options?: { name: string; autocomplete?: boolean }[] }[];
    };
    expect(sora.integration_types).toEqual([0, 1]);
    const videoOptions = sora.options.flatMap((sub) =>
      (sub.options ?? []).filter((o) => o.name === 'video').map((o) => [sub.name, o.autocomplete]),
    );
    expect(videoOptions).toEqual([
      ['remix', true],
      ['status', true],
      ['delete', true],
    ]);
  });

  it('is validated by the fake like Discord: an unknown context or autocomplete with choices is refused', async () => {
    const put = (body: unknown) =>
      fetch(`${t.fake.apiBase}/v10/applications/${t.fake.applicationId}/commands`, {
        method: 'PUT',
        headers: { authorization: `Bot ${t.fake.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const base = { name: 'x', description: 'x' };
    expect((await put([{ ...base, contexts: [3] }])).status).toBe(400);
    expect((await put([{ ...base, integration_types: [0, 0] }])).status).toBe(400);
    const option = {
      type: 3,
      name: 'v',
      description: 'v',
      autocomplete: true,
      choices: [{ name: 'a', value: 'a' }],
    };
    expect((await put([{ ...base, options: [option] }])).status).toBe(400);
  });
});

describe('a user install where the bot is not a member', () => {
  it('answers and delivers through the interaction in a group DM', async () => {
    const handle = t.fake.interactions.slashCommand({
      channelId: groupDm.id,
      install: 'user',
      options: { prompt: 'a kite over a windy beach' },
    });
    const callback = await handle.callback;
    expect(callback.type).toBe(5);
    expect((callback.data as { flags?: number } | null)?.flags ?? 0).toBe(0);
    const jobId = await waitForJobId(t.fake, handle);
    const delivered = await waitForDelivery(t.fake, jobId, groupDm.id);
    expect(delivered.attachments[0]?.filename).toBe(`sora-${jobId}.mp4`);
    const statusId = handle.record.originalMessageId!;
    await t.fake.waitFor(() => t.fake.message(statusId)?.content.includes('Done'));

    // Every write went through the interaction: the status edits and the video as a follow-up.
    const writes = t.fake.recorder.messageWrites.filter((w) => w.channelId === groupDm.id);
    expect(writes.filter((w) => w.messageId === statusId).every((w) => w.kind === 'webhook-edit')).toBe(true);
    expect(writes.find((w) => w.messageId === delivered.id)?.kind).toBe('followup');
    expect(botTokenCallsInto(groupDm.id)).toEqual([]);

    // The job belongs to Alice's user-install scope and records the interaction, not its token.
    const job = await t.bot.core.jobRecord(jobId);
    expect(job?.requester.workspace).toBe(`u${ALICE}`);
    expect(job?.conversation).toBe(`discord:app:u${ALICE}:${groupDm.id}:${handle.id}:${ALICE}`);
    expect(JSON.stringify(job)).not.toContain(handle.token);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((line) => line.includes(handle.token))).toEqual([]);
  });

  it('answers and delivers through the interaction in a server the bot is not in', async () => {
    const elsewhere = [...t.fake.world.guilds.values()].find((g) => !g.botMember)!;
    const channelId = t.fake.world.defaultChannelOf(elsewhere.id).id;
    const handle = t.fake.interactions.slashCommand({
      guildId: elsewhere.id,
      install: 'user',
      options: { prompt: 'a tram through fog' },
    });
    expect((await handle.callback).type).toBe(5);
    const jobId = await waitForJobId(t.fake, handle);
    const delivered = await waitForDelivery(t.fake, jobId, channelId);
    expect(t.fake.recorder.messageWrites.find((w) => w.messageId === delivered.id)?.kind).toBe('followup');
    expect(botTokenCallsInto(channelId)).toEqual([]);
    // The server is the workspace, as for videos made with the bot in it.
    const job = await t.bot.core.jobRecord(jobId);
    expect(job?.requester.workspace).toBe(elsewhere.id);
    expect(job?.conversation.startsWith(`discord:app:${elsewhere.id}:${channelId}:`)).toBe(true);
  });

  it('in a channel where the bot may not post, answers through the interaction for a user install only', async () => {
    const readOnly = t.fake.world.channelsOf(t.fake.guild.id).find((c) => c.name === 'read-only')!;
    // The server's install alone: the bot says what it lacks there and starts nothing.
    const refused = t.fake.interactions.slashCommand({
      channelId: readOnly.id,
      options: { prompt: 'a moth' },
    });
    const answer = await refused.callback;
    expect(answer.type).toBe(4);
    expect((answer.data as { content: string }).content).toContain('Send Messages');
    // The person has the app on their account too: it is answered through the interaction.
    const handle = t.fake.interactions.slashCommand({
      channelId: readOnly.id,
      install: 'user',
      options: { prompt: 'a moth at a lamp' },
    });
    expect((await handle.callback).type).toBe(5);
    const jobId = await waitForJobId(t.fake, handle);
    const delivered = await waitForDelivery(t.fake, jobId, readOnly.id);
    expect(t.fake.recorder.messageWrites.find((w) => w.messageId === delivered.id)?.kind).toBe('followup');
    expect((await t.bot.core.jobRecord(jobId))?.requester.workspace).toBe(t.fake.guild.id);
  });

  it('deletes a video from its button in the group DM, for its owner only', async () => {
    const handle = t.fake.interactions.slashCommand({
      channelId: groupDm.id,
      install: 'user',
      options: { prompt: 'a sailboat at noon' },
    });
    const jobId = await waitForJobId(t.fake, handle);
    const delivered = await waitForDelivery(t.fake, jobId, groupDm.id);
    await until(async () => (await t.bot.core.jobRecord(jobId))?.state === 'delivered');
    const press = (userId: string) =>
      t.fake.interactions.button({
        customId: `sora:delete:${jobId}`,
        messageId: delivered.id,
        channelId: groupDm.id,
        userId,
        install: 'user',
      });
    // Bob is in the chat but it is not his video (nor his user-install scope).
    const refused = press(BOB);
    expect((await refused.callback).type).toBe(5);
    const answer = await t.fake.waitFor(() => {
      const m = t.fake.message(refused.record.originalMessageId ?? '');
      return m?.editedTimestamp ? m : undefined;
    });
    expect(answer.content).toContain(`Only the person who made \`${jobId}\``);
    expect((await t.bot.core.jobRecord(jobId))?.state).toBe('delivered');

    const accepted = press(ALICE);
    expect((await accepted.callback).type).toBe(5);
    // The follow-up loses the video and its buttons through the webhook (its token still lives).
    const note = await t.fake.waitFor(() => {
      const m = t.fake.message(delivered.id);
      return m && m.attachments.length === 0 ? m : undefined;
    });
    expect(note.content).toContain('deleted');
    expect(customIdsOf(note)).toEqual([]);
    expect((await t.bot.core.jobRecord(jobId))?.state).toBe('deleted');
    expect(botTokenCallsInto(groupDm.id)).toEqual([]);
  });

  it('DMs the video with a note once the interaction token has expired', async () => {
    const handle = t.fake.interactions.slashCommand({
      channelId: groupDm.id,
      install: 'user',
      options: { prompt: 'a lighthouse in a storm' },
    });
    expect((await handle.callback).type).toBe(5);
    const jobId = await waitForJobId(t.fake, handle);
    // Discord stops accepting the token 15 minutes after the command.
    t.fake.fastForward(SIXTEEN_MINUTES);
    const dm = await t.fake.waitFor(() =>
      t.fake.dmsOf(ALICE).find((m) => customIdsOf(m).includes(`sora:remix:${jobId}`)),
    );
    expect(dm.attachments[0]?.filename).toBe(`sora-${jobId}.mp4`);
    expect(dm.content).toContain('Sent to you directly');
    expect(dm.content).toContain('15 minutes');
    expect(customIdsOf(dm)).toEqual([`sora:remix:${jobId}`, `sora:again:${jobId}`, `sora:delete:${jobId}`]);
    // Nothing of this job was posted in the group DM after the token died.
    expect(
      t.fake.messagesIn(groupDm.id).filter((m) => customIdsOf(m).includes(`sora:remix:${jobId}`)),
    ).toEqual([]);
    expect(botTokenCallsInto(groupDm.id)).toEqual([]);
    await until(async () => (await t.bot.core.jobRecord(jobId))?.state === 'delivered');
  });

  it('keeps the video for /sora status when the DM is refused too', async () => {
    const handle = t.fake.interactions.slashCommand({
      channelId: groupDm.id,
      userId: BOB,
      install: 'user',
      options: { prompt: 'a paper plane over rooftops' },
    });
    expect((await handle.callback).type).toBe(5);
    const jobId = await waitForJobId(t.fake, handle);
    t.fake.fastForward(SIXTEEN_MINUTES);
    const job = await until(async () => {
      const j = await t.bot.core.jobRecord(jobId);
      return j?.state === 'delivered' ? j : undefined;
    });
    expect(job.deliveredRef).toBe(`kept:${jobId}`);
    expect(t.fake.dmsOf(BOB)).toEqual([]);

    // A new command (a fresh token) asks for it: the private answer carries the MP4.
    const status = t.fake.interactions.slashCommand({
      channelId: groupDm.id,
      userId: BOB,
      install: 'user',
      subcommand: 'status',
      options: { video: jobId },
    });
    const callback = await status.callback;
    expect((callback.data as { flags: number }).flags & EPHEMERAL).toBe(EPHEMERAL);
    const answer = await t.fake.waitFor(() => {
      const message = t.fake.message(status.record.originalMessageId ?? '');
      return message?.attachments.length ? message : undefined;
    });
    expect(answer.attachments[0]?.filename).toBe(`sora-${jobId}.mp4`);
    expect(answer.content).toContain('delivered');
  });
});

describe('autocomplete of video ids', () => {
  /** The choices the bot answers while `typed` is in the `video` option of `subcommand`. */
  async function choices(
    typed: string,
    options: { subcommand?: string; userId?: string; channelId?: string; install?: 'guild' | 'user' } = {},
  ): Promise<{ name: string; value: string }[]> {
    const handle = t.fake.interactions.autocomplete({
      subcommand: options.subcommand ?? 'status',
      options: { video: typed },
      focused: 'video',
      ...(options.userId ? { userId: options.userId } : {}),
      ...(options.channelId ? { channelId: options.channelId } : {}),
      ...(options.install ? { install: options.install } : {}),
    });
    const callback = await handle.callback;
    expect(callback.type).toBe(8);
    return (callback.data as { choices: { name: string; value: string }[] }).choices;
  }

  async function make(prompt: string, userId = ALICE): Promise<string> {
    const handle = t.fake.interactions.slashCommand({ userId, options: { prompt } });
    return waitForJobId(t.fake, handle);
  }

  it('lists only the person’s own recent videos in this server, filtered by id or prompt', async () => {
    const fox = await make('a red fox running through snow');
    const whale = await make('a blue whale under the ice');
    const balloon = await make('a red balloon drifting away', BOB);

    const all = await choices('');
    expect(all.map((c) => c.value).slice(0, 2)).toEqual([whale, fox]);
    for (const choice of all) {
      const job = await t.bot.core.jobRecord(choice.value);
      expect([job?.requester.user, job?.requester.workspace]).toEqual([ALICE, t.fake.guild.id]);
    }
    expect(all[0]?.name).toMatch(new RegExp(`^a blue whale under the ice · ${whale}( \\(\\w+\\))?$`));
    expect((await choices('RED')).map((c) => c.value)).toEqual([fox]);
    expect((await choices(fox.slice(0, 4))).map((c) => c.value)).toEqual([fox]);
    expect((await choices('red', { userId: BOB })).map((c) => c.value)).toEqual([balloon]);
    // The group DM's videos live in each person's user-install scope, not the server's.
    const dmChoices = await choices('', { channelId: groupDm.id, install: 'user' });
    expect(dmChoices.map((c) => c.name.split(' · ')[0])).toEqual([
      'a lighthouse in a storm',
      'a kite over a windy beach',
    ]);
  });

  it('offers only delivered videos to remix, at most 25, names within 100 characters', async () => {
    const long = `a ${'very '.repeat(60)}long prompt`;
    const longId = await make(long);
    await waitForDelivery(t.fake, longId);
    // The ledger records the delivery just after the post.
    await until(async () => (await t.bot.core.jobRecord(longId))?.state === 'delivered');
    const remix = await choices('', { subcommand: 'remix' });
    for (const choice of remix) expect((await t.bot.core.jobRecord(choice.value))?.state).toBe('delivered');
    const named = remix.find((c) => c.value === longId)!;
    expect(named.name.length).toBeLessThanOrEqual(100);
    expect(named.name.endsWith(` · ${longId}`)).toBe(true);

    for (let i = 0; i < 26; i++) await make(`batch video ${i}`);
    const batch = await choices('batch');
    expect(batch).toHaveLength(25);
    expect(batch[0]?.name).toContain('batch video 25');
  });
});

describe('leftovers', () => {
  it('the help names the fit option', async () => {
    const handle = t.fake.interactions.slashCommand({ subcommand: 'help', options: {} });
    await handle.callback;
    const message = await t.fake.waitFor(() => {
      const m = t.fake.message(handle.record.originalMessageId ?? '');
      return m?.embeds.length ? m : undefined;
    });
    expect(JSON.stringify(message.embeds)).toContain('[fit:]');
  });
});
