/**
 * Hostile input through the whole bot over the fake Discord: an attachment URL pointing anywhere but
 * Discord's CDN (a trap server sees nothing, and no download ever carries the token), links typed into
 * prompts and options (never live in any message the bot writes, public or private), and admin rights
 * that come from the guild, not from one channel's overwrites. One bot on one fake; cases run in order.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Permission, type StoredMessage } from '../fakes/discord/index.js';
import { makeImage } from '../media/image-fixtures.js';
import {
  type DiscordTestBot,
  jobsInChannel,
  startDiscordTestBot,
  until,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

const ALICE = '100000000000000001';
/** Manage Messages in #mod only (a member overwrite): a moderator there, not an admin of the bot. */
const FRANK = '100000000000000006';
/** A role with Manage Server: an admin, guild-level. */
const ERIN = '100000000000000005';
const EPHEMERAL = 1 << 6;

/** A link that would render live: masked `[t](…)`, autolink `<scheme:/…>`, or a bare `scheme://`. */
const LIVE_LINK = [/\[[^\]\n]*\]\(/, /<[a-z][a-z0-9+.-]*:\//i, /\b[a-z][a-z0-9+.-]*:\/\//i];

function liveLinksIn(message: StoredMessage): string[] {
  const texts = [message.content, JSON.stringify(message.embeds)];
  return texts.flatMap((text) => LIVE_LINK.filter((re) => re.test(text)).map((re) => `${re}: ${text}`));
}

const HOSTILE_PROMPT =
  'a fox [Verify your account](https://evil.example/login) [x](<https://evil.example/a>) <https://evil.example/b> https://evil.example/c HTTPS://EVIL.EXAMPLE/D';

let t: DiscordTestBot;
let general: string;
let mod: string;
let trapRequests: IncomingHttpHeaders[];
let closeTrap: () => Promise<void>;
let trapOrigin: string;

beforeAll(async () => {
  t = await startDiscordTestBot({
    fake: {
      users: [
        { id: ALICE, username: 'alice' },
        { id: FRANK, username: 'frank' },
        { id: ERIN, username: 'erin' },
      ],
      guilds: [
        {
          roles: [{ name: 'Server admins', permissions: Permission.ManageGuild, members: [ERIN] }],
          channels: [
            { name: 'general' },
            { name: 'mod', overwrites: [{ id: FRANK, type: 1, allow: Permission.ManageMessages, deny: 0n }] },
          ],
        },
      ],
    },
  });
  [general, mod] = t.fake.world.channelsOf(t.fake.guild.id).map((c) => c.id) as [string, string];
  trapRequests = [];
  const trap = createServer((req, res) => {
    trapRequests.push(req.headers);
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.from(makeImagePlaceholder()));
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));
  trapOrigin = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
  closeTrap = () =>
    new Promise<void>((resolve) => {
      trap.closeAllConnections();
      trap.close(() => resolve());
    });
});

afterAll(async () => {
  await closeTrap?.();
  await t?.close();
});

function makeImagePlaceholder(): Uint8Array {
  return new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
}

it('downloads an attachment from the CDN without the token, and refuses one that points elsewhere', async () => {
  const png = Buffer.from(await makeImage('png', 640, 360));
  const seeded = t.fake.seedAttachment({ filename: 'real.png', bytes: png, contentType: 'image/png' });
  const real = t.fake.interactions.slashCommand({
    channelId: general,
    options: { prompt: 'waves', image: seeded, size: '1280x720' },
  });
  await waitForJobId(t.fake, real);
  const downloads = t.fake.cdn.downloads.filter((d) => d.attachmentId === seeded.stored.id);
  expect(downloads.length).toBeGreaterThan(0);
  expect(downloads.map((d) => d.authorization)).toEqual(downloads.map(() => null));

  // The same attachment, but its URL (which arrives in the interaction payload) points at a trap.
  const trapped = t.fake.seedAttachment({ filename: 'trap.png', bytes: png, contentType: 'image/png' });
  const url = `${trapOrigin}/attachments/1/2/trap.png`;
  const handle = t.fake.interactions.slashCommand({
    channelId: general,
    options: {
      prompt: 'animate the trap',
      image: { ...trapped, payload: { ...trapped.payload, url, proxy_url: url } },
    },
  });
  const answer = await t.fake.waitFor(() =>
    t.fake.recorder.messageWrites.find((w) => w.kind === 'followup' && w.content?.includes('trap.png')),
  );
  expect(answer.content).toContain('is not on Discord, and I only fetch files from Discord');
  expect(trapRequests).toEqual([]);
  expect(t.fake.message(handle.record.originalMessageId!)).toBeUndefined();
  const jobs = await jobsInChannel(t.bot, t.fake, general);
  expect(jobs.filter((j) => j.prompt === 'animate the trap')).toEqual([]);
});

it('renders no link typed into a prompt live: status, caption, list and details', async () => {
  const handle = t.fake.interactions.slashCommand({
    channelId: general,
    userId: ALICE,
    options: { prompt: HOSTILE_PROMPT },
  });
  const jobId = await waitForJobId(t.fake, handle);
  const status = t.fake.message(handle.record.originalMessageId!)!;
  const video = await waitForDelivery(t.fake, jobId, general);
  // Readable as typed: the words and the host are all still there.
  expect(video.content).toContain('Verify your account');
  expect(video.content).toContain('evil.example/login');

  const list = t.fake.interactions.slashCommand({
    channelId: general,
    userId: ALICE,
    subcommand: 'list',
    options: {},
  });
  const details = t.fake.interactions.slashCommand({
    channelId: general,
    userId: ALICE,
    subcommand: 'status',
    options: { video: jobId },
  });
  const answers = await Promise.all(
    [list, details].map((h) =>
      t.fake.waitFor(() => {
        const m = t.fake.message(h.record.originalMessageId ?? '');
        return m && (m.content || m.embeds.length > 0) ? m : undefined;
      }),
    ),
  );
  expect(JSON.stringify(answers[0]!.embeds)).toContain('Verify your account');
  expect(answers[1]!.content).toContain('Verify your account');
  for (const message of [status, video, ...answers]) expect(liveLinksIn(message)).toEqual([]);
});

it('renders no link typed into an option that the core quotes back (a notice)', async () => {
  const handle = t.fake.interactions.slashCommand({
    channelId: general,
    subcommand: 'status',
    // A backtick ends the core's code span early: without neutralising, the link would be live.
    options: { video: '`[free](https://evil.example)`' },
  });
  const callback = await handle.callback;
  expect(callback.type).toBe(4);
  expect((callback.data as { flags: number }).flags & EPHEMERAL).toBe(EPHEMERAL);
  const content = (callback.data as { content: string }).content;
  expect(content).toContain("isn't a video id");
  for (const re of LIVE_LINK) expect(content).not.toMatch(re);
});

it('takes admin rights from the guild: Manage Messages in one channel deletes nothing elsewhere', async () => {
  const make = t.fake.interactions.slashCommand({
    channelId: general,
    userId: ALICE,
    options: { prompt: 'a quiet harbour' },
  });
  const jobId = await waitForJobId(t.fake, make);
  await until(async () => (await t.bot.core.jobRecord(jobId))?.state === 'delivered');

  // Frank may manage messages in #mod (Discord sends that with the interaction), not in the guild.
  const byFrank = t.fake.interactions.slashCommand({
    channelId: mod,
    userId: FRANK,
    subcommand: 'delete',
    options: { video: jobId },
  });
  const refusal = await t.fake.waitFor(
    () => t.fake.message(byFrank.record.originalMessageId ?? '')?.content || undefined,
  );
  expect(refusal).toContain('Only the person who made');
  expect((await t.bot.core.jobRecord(jobId))?.state).toBe('delivered');

  const byErin = t.fake.interactions.slashCommand({
    channelId: mod,
    userId: ERIN,
    subcommand: 'delete',
    options: { video: jobId },
  });
  const done = await t.fake.waitFor(
    () => t.fake.message(byErin.record.originalMessageId ?? '')?.content || undefined,
  );
  expect(done).toContain(`Deleted \`${jobId}\``);
});

it('answers privately what it does not know: a forged button, command or form, a form without its prompt', async () => {
  // A DM channel as Discord would have it once the bot wrote to Alice.
  const dm = t.fake.world.dmChannelWith(ALICE, new Date().toISOString()).id;
  const handles = [
    t.fake.interactions.button({ channelId: general, customId: 'sora:@here [x](https://evil.example)' }),
    t.fake.interactions.button({ channelId: dm, userId: ALICE, customId: 'sora:list:1:all' }),
    t.fake.interactions.slashCommand({ channelId: general, name: 'video', subcommand: 'list' }),
    t.fake.interactions.modalSubmit({ channelId: general, customId: 'nope', fields: { prompt: 'x' } }),
    t.fake.interactions.modalSubmit({ channelId: general, customId: 'sora:remix-modal:k3f9qz', fields: {} }),
    t.fake.interactions.modalSubmit({
      channelId: dm,
      userId: ALICE,
      customId: 'sora:animate-modal:123',
      fields: { prompt: 'in a DM' },
    }),
  ];
  for (const handle of handles) {
    const callback = await handle.waitForCallback();
    expect(callback.type, JSON.stringify(handle.payload['data'])).toBe(4);
    expect((callback.data as { flags: number }).flags & EPHEMERAL).toBe(EPHEMERAL);
  }
});
