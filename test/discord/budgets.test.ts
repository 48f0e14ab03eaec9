/**
 * Money in Discord, end to end: the real discord.js (inside startBot) against the fake Discord and
 * the embedded emulator. The cost in the immediate answer and the modals, `/sora budget` (admins
 * set, others are refused, limits persist across a restart), the approval card above
 * SORA_APPROVAL_ABOVE (only admins count; it survives a restart; Deny refunds) and `/sora usage` with
 * its chart. Cases run in order, like one session.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InteractionHandle, StoredMessage } from '../fakes/discord/index.js';
import { makeImage } from '../media/image-fixtures.js';
import {
  customIdsOf,
  type DiscordTestBot,
  mentioningWrites,
  startDiscordTestBot,
  until,
  waitForDelivery,
  waitForJobId,
} from './discord-test-bot.js';

const ALICE = '100000000000000001';
const BOB = '100000000000000002';
const CAROL = '100000000000000003';
const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let t: DiscordTestBot;

beforeAll(async () => {
  t = await startDiscordTestBot({
    fake: {
      users: [
        { id: ALICE, username: 'alice' },
        { id: BOB, username: 'bob' },
        { id: CAROL, username: 'carol' },
      ],
    },
    // 4 s of sora-2 ($0.40) goes straight to the queue; 8 s ($0.80) waits for an admin.
    env: { SORA_ADMINS: `discord:${CAROL}`, SORA_APPROVAL_ABOVE: '0.50' },
  });
});

afterAll(async () => {
  await t?.close();
});

/** The private answer to an interaction: a direct ephemeral reply, or a filled ephemeral defer. */
async function privateAnswer(handle: InteractionHandle): Promise<StoredMessage> {
  const callback = await handle.callback;
  expect([4, 5]).toContain(callback.type);
  expect((callback.data as { flags?: number } | null)?.flags ?? 0).toBe(EPHEMERAL);
  return t.fake.waitFor(() => {
    const message = t.fake.message(handle.record.originalMessageId ?? '');
    return message && !(message.flags & LOADING) ? message : undefined;
  }, 20_000);
}

function budget(userId: string, options: Record<string, string | { kind: 'user'; userId: string }> = {}) {
  return t.fake.interactions.slashCommand({ userId, subcommand: 'budget', options });
}

function press(customId: string, messageId: string, userId: string) {
  return t.fake.interactions.button({ customId, messageId, userId });
}

/** The status message of a job started by `handle`, once it shows `text`. */
function statusShowing(handle: InteractionHandle, text: string): Promise<StoredMessage> {
  return t.fake.waitFor(() => {
    const message = t.fake.message(handle.record.originalMessageId ?? '');
    return message?.content.includes(text) ? message : undefined;
  }, 10_000);
}

it('shows the cost in the immediate answer to /sora generate', async () => {
  const handle = t.fake.interactions.slashCommand({
    userId: ALICE,
    options: { prompt: 'a tin robot', seconds: 4 },
  });
  const jobId = await waitForJobId(t.fake, handle);
  const first = t.fake.recorder.messageWrites.find((w) => w.messageId === handle.record.originalMessageId);
  expect(first?.kind).toBe('webhook-edit');
  expect(first?.content).toContain('4s · 720x1280 · sora-2 · about $0.40');
  await waitForDelivery(t.fake, jobId);
});

it('lets an admin set budgets with /sora budget, refuses others, and answers malformed ones with the form', async () => {
  const workspace = await privateAnswer(budget(CAROL, { workspace: '300/month' }));
  expect(workspace.content).toContain('Done: the workspace may spend $300.00 a month');
  const person = await privateAnswer(
    budget(CAROL, { user: { kind: 'user', userId: ALICE }, amount: '5/day' }),
  );
  expect(person.content).toContain(`Done: @${ALICE} may spend $5.00 a day`);

  const refused = await privateAnswer(budget(BOB, { workspace: '1000/month' }));
  expect(refused.content).toContain('Only admins can change budgets');

  const malformed = await privateAnswer(
    budget(CAROL, { user: { kind: 'user', userId: ALICE }, amount: '5/week' }),
  );
  expect(malformed.content).toContain('Budgets: `/sora budget` shows what is left');
  expect(malformed.content).toContain('In Discord:');
  const perDay = await privateAnswer(budget(CAROL, { workspace: '5/day' }));
  expect(perDay.content).toContain('A workspace budget is per month');
  const halfGiven = await privateAnswer(budget(CAROL, { amount: '5/day' }));
  expect(halfGiven.content).toContain('needs both `user:` and `amount:`');
});

let pending: { jobId: string; status: StoredMessage; handle: InteractionHandle };

it('puts Approve and Deny on a job above SORA_APPROVAL_ABOVE; a non-admin’s press is refused privately', async () => {
  const handle = t.fake.interactions.slashCommand({
    userId: ALICE,
    options: { prompt: 'a slow pan over a harbour', seconds: 8 },
  });
  const jobId = await waitForJobId(t.fake, handle);
  const status = await statusShowing(handle, 'Waiting for an admin');
  expect(status.content).toContain('about $0.80');
  // Cancel beside them: the requester may withdraw it meanwhile (job-controls.ts).
  expect(customIdsOf(status)).toEqual([
    `sora:approve:${jobId}`,
    `sora:deny:${jobId}`,
    `sora:cancel:${jobId}`,
  ]);
  const styles = (status.components as { components: { style: number }[] }[])[0]!.components.map(
    (b) => b.style,
  );
  expect(styles).toEqual([3, 4, 4]); // Success (green), Danger (red), Danger

  for (const userId of [BOB, ALICE]) {
    const answer = await privateAnswer(press(`sora:approve:${jobId}`, status.id, userId));
    expect(answer.content).toContain('Only admins can approve or deny videos.');
  }
  const job = await t.bot.core.jobRecord(jobId);
  expect(job?.approval?.state).toBe('pending');
  expect(['accepted', 'waiting']).toContain(job?.state);
  expect(customIdsOf(t.fake.message(status.id)!)).toEqual([
    `sora:approve:${jobId}`,
    `sora:deny:${jobId}`,
    `sora:cancel:${jobId}`,
  ]);
  pending = { jobId, status, handle };
});

it('keeps the limits and the card across a restart; an admin’s Approve sends the video', async () => {
  await t.restart();
  const left = await privateAnswer(budget(ALICE));
  // 0.40 delivered + 0.80 held for the job waiting for approval.
  expect(left.content).toContain('You today: $1.20 of $5.00');
  expect(left.content).toContain('Workspace this month: $1.20 of $300.00');

  const answer = await privateAnswer(press(`sora:approve:${pending.jobId}`, pending.status.id, CAROL));
  expect(answer.content).toContain(`Approved: video \`${pending.jobId}\` is in the queue.`);
  const video = await waitForDelivery(t.fake, pending.jobId);
  expect(video.content).toContain('8s · 720x1280 · sora-2 · about $0.80');
  const status = await statusShowing(pending.handle, 'Done');
  expect(customIdsOf(status)).toEqual([]);
  expect((await t.bot.core.jobRecord(pending.jobId))?.approval?.state).toBe('approved');

  const again = await privateAnswer(press(`sora:deny:${pending.jobId}`, pending.status.id, CAROL));
  expect(again.content).toContain('was already approved');
});

it('fails a denied job and refunds what it held', async () => {
  const handle = t.fake.interactions.slashCommand({
    userId: ALICE,
    options: { prompt: 'fireworks', seconds: 8 },
  });
  const jobId = await waitForJobId(t.fake, handle);
  const status = await statusShowing(handle, 'Waiting for an admin');
  const held = await privateAnswer(budget(ALICE));
  expect(held.content).toContain('You today: $2.00 of $5.00');

  const answer = await privateAnswer(press(`sora:deny:${jobId}`, status.id, CAROL));
  expect(answer.content).toContain(`Denied: video \`${jobId}\` won't be made.`);
  await until(async () => (await t.bot.core.costOf(jobId))?.outcome);
  const job = await t.bot.core.jobRecord(jobId);
  expect(job?.state).toBe('failed');
  expect(job?.failure?.code).toBe('approval_denied');
  expect((await t.bot.core.costOf(jobId))?.outcome).toBe('refunded');
  expect(customIdsOf((await statusShowing(handle, 'Failed'))!)).toEqual([]);
  const refunded = await privateAnswer(budget(ALICE));
  expect(refunded.content).toContain('You today: $1.20 of $5.00');
});

it('answers /sora usage privately with the numbers and the chart as a PNG attachment', async () => {
  const handle = t.fake.interactions.slashCommand({ userId: CAROL, subcommand: 'usage' });
  const answer = await privateAnswer(handle);
  const embed = answer.embeds[0] as { title: string; description: string; image?: { url: string } };
  expect(embed.title).toContain('Sora spend');
  expect(embed.description).toContain('Total: $1.20');
  expect(embed.description).toContain('Refunds: $0.80');
  expect(answer.attachments).toHaveLength(1);
  expect(embed.image?.url).toBe(`attachment://${answer.attachments[0]!.filename}`);

  const upload = t.fake.recorder.calls.find(
    (c) => c.method === 'PATCH' && c.path.includes(handle.token) && c.files.length > 0,
  );
  expect(upload?.multipart).toBe(true);
  const png = upload!.files[0]!;
  expect(png.filename).toMatch(/\.png$/);
  expect([...png.bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  expect(png.size).toBeGreaterThan(1_000);

  const mine = await privateAnswer(
    t.fake.interactions.slashCommand({ userId: BOB, subcommand: 'usage', options: { period: 'day' } }),
  );
  expect((mine.embeds[0] as { description: string }).description).toContain('You: $0.00');
  const bad = await privateAnswer(
    t.fake.interactions.slashCommand({ userId: BOB, subcommand: 'usage', options: { period: 'weekly' } }),
  );
  expect(bad.content).toContain('Give the period as `month`, `day` or a month like `2026-11`');
  const badMonth = await privateAnswer(
    t.fake.interactions.slashCommand({ userId: BOB, subcommand: 'usage', options: { period: '2026-13' } }),
  );
  expect(badMonth.content).toContain('Give a month as YYYY-MM');
});

it('prices the modals: a remix in its title, each length and model of "Animate with Sora"', async () => {
  const delivered = await waitForDelivery(t.fake, pending.jobId);
  const remix = await press(`sora:remix:${pending.jobId}`, delivered.id, BOB).callback;
  expect(remix.type).toBe(9);
  expect((remix.data as { title: string }).title).toBe(`Remix ${pending.jobId} · about $0.80`);

  const image = t.fake.seedAttachment({
    filename: 'wide.png',
    bytes: Buffer.from(await makeImage('png', 640, 360)),
    contentType: 'image/png',
    width: 640,
    height: 360,
  });
  const post = t.fake.seedMessage({ authorId: CAROL, content: 'a wide picture', attachments: [image] });
  const menu = t.fake.interactions.messageCommand({
    name: 'Animate with Sora',
    messageId: post.id,
    userId: CAROL,
  });
  const modal = (await menu.callback).data as {
    custom_id: string;
    components: { component: { custom_id: string; options?: { label: string; value: string }[] } }[];
  };
  const options = (id: string) =>
    modal.components.find((c) => c.component.custom_id === id)?.component.options?.map((o) => o.label);
  expect(options('seconds')).toEqual([
    '4 seconds · about $0.40',
    '8 seconds · about $0.80',
    '12 seconds · about $1.20',
  ]);
  expect(options('model')).toEqual(['sora-2 · $0.10 a second', 'sora-2-pro · $0.30 a second']);

  // An admin's video skips approval; the chosen length is what is made and charged.
  const submit = t.fake.interactions.modalSubmit({
    customId: modal.custom_id,
    fields: { prompt: 'the waves start to move' },
    selects: { seconds: ['8'], model: ['sora-2'] },
    userId: CAROL,
  });
  const jobId = await waitForJobId(t.fake, submit);
  const video = await waitForDelivery(t.fake, jobId);
  expect(video.content).toContain('8s · 1280x720 · sora-2 · landscape, from your image · about $0.80');
  expect(mentioningWrites(t.fake)).toEqual([]);
});
