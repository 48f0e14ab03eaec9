/**
 * Money in Slack, end to end: real Bolt over Socket Mode against the fake Slack, the core on the
 * emulator. The price in the first answer; Approve / Deny on the status message of a video above
 * the approval threshold (a non-admin is refused privately, the click survives a restart, an admin's
 * approval delivers, a denial refunds); `/sora usage` as an ephemeral answer with the chart PNG in
 * the asker's DM; the modal's cost line refreshed with views.update when an option changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESTIMATE_BLOCK_ID } from '../../adapters/slack/modal-estimate.js';
import type { BudgetSettings } from '../../src/core/budget-book.js';
import { dollars } from '../../src/core/pricing.js';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';
import { EMULATOR_API_KEY } from '../../src/sora/index.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { ADMIN, ALICE, ALL_SCOPES, BOB, CHANNEL, SlackHarness } from './slack-harness.js';

/** sora-2 is $0.10 a second: 4 s $0.40, 8 s $0.80, 12 s $1.20 (this one waits for an admin). */
const BUDGETS: Partial<BudgetSettings> = { approvalAbove: dollars(1), userDay: dollars(10) };
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let fake: FakeSlack;
let emulator: RunningEmulator;
let dataDir: string;
let h: SlackHarness;

beforeAll(async () => {
  fake = await startFakeSlack({
    scopes: ALL_SCOPES,
    users: [
      { id: ALICE, name: 'alice' },
      { id: BOB, name: 'bob' },
      { id: ADMIN, name: 'root', isAdmin: true, isOwner: true },
    ],
  });
  emulator = await startEmulator({ renderMs: 200, apiKey: EMULATOR_API_KEY });
  dataDir = mkdtempSync(join(tmpdir(), 'sora-slack-budgets-'));
  h = await SlackHarness.start({ fake, emulator, dataDir, budgets: BUDGETS });
});

afterAll(async () => {
  await h?.stop();
  await fake?.close();
  await emulator?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

type Block = { type: string; block_id?: string; elements?: Record<string, unknown>[] };

function blockText(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

/** The first post to a response_url: an ephemeral answer. */
async function answerTo(
  responseUrl: string,
): Promise<{ text: string; blocks: Block[]; response_type: string }> {
  await h.until(() => fake.workspace.responseUrlPosts(responseUrl).length > 0);
  return fake.workspace.responseUrlPosts(responseUrl)[0]?.body as {
    text: string;
    blocks: Block[];
    response_type: string;
  };
}

/** `/sora TEXT` as `user`; resolves with the ephemeral answer. */
async function ask(text: string, user = ALICE) {
  const { payload, ack } = h.command(text, { user });
  await ack;
  return answerTo(payload.response_url ?? '');
}

/** `/sora PROMPT`: the parent message it posted and its job. */
async function generate(prompt: string) {
  const { ack } = h.command(prompt);
  await ack;
  const words = prompt.split(' --')[0]!;
  const post = await fake.waitForCall('chat.postMessage', (c) => blockText(c.args.blocks).includes(words));
  const ts = String(post.response.ts);
  return { post, ts, job: await h.jobByParent(ts) };
}

function press(ts: string, actionId: string, jobId: string, user: string) {
  const payload = fake.payloads.blockActions({
    channel: CHANNEL,
    messageTs: ts,
    actions: [{ action_id: actionId, value: jobId }],
    userId: user,
  });
  return { payload, ack: fake.socket.sendInteractive(payload) };
}

/** "You today: $2.40 of $10.00 · …" from `/sora budget`. */
async function spentToday(): Promise<string> {
  const answer = await ask('budget');
  const line = /You today: (\$[\d.,]+) of/.exec(answer.text);
  if (!line) throw new Error(`no daily line in ${answer.text}`);
  return line[1]!;
}

describe('costs in Slack', () => {
  it('shows the price in the first answer to /sora PROMPT', async () => {
    const { post, job } = await generate('a paper kite over the dunes');
    expect(String(post.args.text)).toContain('about $0.40');
    expect(blockText(post.args.blocks)).toContain('4s · 720x1280 · sora-2 · about $0.40');
    // Below the threshold: no buttons, straight into the queue.
    expect(blockText(post.args.blocks)).not.toContain('sora_approve');
    await h.waitFor(job.id, ['delivered']);
  });
});

describe('approvals', () => {
  it('puts Approve / Deny on the status message; only an admin counts, also after a restart', async () => {
    const { post, ts, job } = await generate('a lighthouse in a storm --seconds 12');
    expect(job.approval?.state).toBe('pending');
    expect(String(post.args.text)).toContain('Waiting for an admin to approve (about $1.20)');
    const actions = (post.args.blocks as Block[]).find((b) => b.type === 'actions');
    expect(actions?.elements).toEqual([
      expect.objectContaining({ action_id: 'sora_approve', value: job.id, style: 'primary' }),
      expect.objectContaining({ action_id: 'sora_deny', value: job.id, style: 'danger' }),
      // The requester may withdraw it meanwhile (job-controls.ts).
      expect.objectContaining({ action_id: 'sora_cancel', value: job.id, style: 'danger' }),
    ]);

    // Bob is no admin: he alone hears so, and the job keeps waiting.
    const bob = press(ts, 'sora_approve', job.id, BOB);
    await bob.ack;
    const refusal = await answerTo(bob.payload.response_url);
    expect(refusal.response_type).toBe('ephemeral');
    expect(refusal.text).toBe('Only admins can approve or deny videos.');
    // The refusal is the core's answer to this press: its decision is made, so the job reads as it is.
    expect(await h.core.jobRecord(job.id)).toMatchObject({
      state: expect.stringMatching(/^(accepted|waiting)$/),
      approval: { state: 'pending' },
    });
    expect(blockText(fake.workspace.message(CHANNEL, ts)?.blocks)).toContain('sora_approve');

    // The bot restarts; the button still works (the job id is its value, the decision is the core's).
    await h.stop();
    h = await SlackHarness.start({ fake, emulator, dataDir, budgets: BUDGETS });
    const admin = press(ts, 'sora_approve', job.id, ADMIN);
    await admin.ack;
    const approved = await answerTo(admin.payload.response_url);
    expect(approved.response_type).toBe('ephemeral');
    expect(approved.text).toContain(`Approved: video \`${job.id}\` is in the queue.`);
    const delivered = await h.waitFor(job.id, ['delivered']);
    expect(delivered.approval).toMatchObject({ state: 'approved', decidedBy: 'root' });
    await h.until(() => fake.workspace.message(CHANNEL, ts)?.text.includes('Done'));
    expect(blockText(fake.workspace.message(CHANNEL, ts)?.blocks)).not.toContain('sora_approve');
  });

  it('fails a denied job and gives its reservation back', async () => {
    const before = await spentToday();
    const { ts, job } = await generate('a volcano at night --seconds 12');
    expect(job.approval?.state).toBe('pending');
    const held = await spentToday();
    expect(Number(held.slice(1)) - Number(before.slice(1))).toBeCloseTo(1.2, 5);

    const admin = press(ts, 'sora_deny', job.id, ADMIN);
    await admin.ack;
    const denied = await answerTo(admin.payload.response_url);
    expect(denied.text).toContain(`Denied: video \`${job.id}\` won't be made.`);
    const failed = await h.waitFor(job.id, ['failed']);
    expect(failed.failure?.code).toBe('approval_denied');
    await h.until(async () => (await spentToday()) === before);
    await h.until(() => fake.workspace.message(CHANNEL, ts)?.text.includes('Failed'));
    expect(blockText(fake.workspace.message(CHANNEL, ts)?.blocks)).not.toContain('sora_deny');
  });
});

describe('/sora usage', () => {
  it('answers privately and sends the chart PNG to the asker in a DM', async () => {
    const answer = await ask('usage');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('Sora spend');
    expect(answer.text).toMatch(/You: \$[\d.]+ · \d+ videos · workspace total: \$/);
    expect(blockText(answer.blocks)).toContain('Chart sent to you in a DM with me.');

    const complete = await fake.waitForCall('files.completeUploadExternal', (c) =>
      String(c.args.channel_id).startsWith('D'),
    );
    const dm = String(complete.args.channel_id);
    expect(fake.workspace.messages(dm).map((m) => m.text)).toEqual([
      expect.stringContaining('Sora spend'),
      '',
    ]);
    const fileId = (complete.args.files as { id: string }[])[0]?.id ?? '';
    const shared = fake.workspace.messages(dm).at(-1)?.files?.[0];
    expect(shared).toMatchObject({ id: fileId, mimetype: 'image/png' });
    const png = fake.workspace.uploadedBytes(fileId)!;
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.length).toBeGreaterThan(1_000);
    // Alice's DM with the bot (the fake names it after her user id).
    expect(dm).toBe(`D${ALICE.slice(1)}`);
  });

  it('still answers with the numbers when the chart cannot be sent', async () => {
    fake.workspace.setUploadPolicy({ disabled: true });
    try {
      const answer = await ask('usage', ADMIN);
      expect(answer.text).toContain('Sora spend');
      expect(answer.text).toContain('Per person:');
      expect(blockText(answer.blocks)).toContain('The chart could not be sent to you in a DM');
    } finally {
      fake.workspace.setUploadPolicy({ disabled: false });
    }
  });
});

describe('the video modal', () => {
  it('shows the estimate and refreshes it with views.update when length, model or shape change', async () => {
    await h.command('').ack;
    const open = await fake.waitForCall('views.open');
    const opened = open.response.view as { id: string; hash: string; blocks: Block[] };
    const estimate = (blocks: Block[]) =>
      blockText(blocks.find((b) => b.block_id === ESTIMATE_BLOCK_ID)?.elements);
    expect(estimate(opened.blocks)).toContain('about $0.40 · 4 s · 720x1280 · sora-2');
    for (const id of ['seconds', 'size', 'model'])
      expect(opened.blocks.find((b) => b.block_id === id)).toMatchObject({ dispatch_action: true });

    const values: Record<string, Record<string, unknown>> = {
      prompt: { value: { type: 'plain_text_input', value: 'fireflies in a jar' } },
      seconds: { value: { type: 'static_select', selected_option: { value: '8' } } },
    };
    const change = async (block: string, value: string, previousHash: string) => {
      values[block] = { value: { type: 'static_select', selected_option: { value } } };
      await fake.socket.sendInteractive(
        fake.payloads.viewBlockActions({
          viewId: opened.id,
          block_id: block,
          action_id: 'value',
          selectedValue: value,
          values,
        }),
      );
      const update = await fake.waitForCall('views.update', (c) => c.args.hash === previousHash);
      expect(update.args.view_id).toBe(opened.id);
      return update;
    };

    const longer = await change('seconds', '8', opened.hash);
    const longerView = longer.response.view as { hash: string; blocks: Block[] };
    expect(estimate(longerView.blocks)).toContain('about $0.80 · 8 s · 720x1280 · sora-2');
    // The choices stay picked, the prompt stays typed.
    expect(blockText(longerView.blocks)).toContain('fireflies in a jar');

    const pro = await change('model', 'sora-2-pro', longerView.hash);
    const proView = pro.response.view as { hash: string; blocks: Block[] };
    expect(estimate(proView.blocks)).toContain('about $2.40 · 8 s · 720x1280 · sora-2-pro');

    const wide = await change('size', '1792x1024', proView.hash);
    const wideView = wide.response.view as { hash: string; blocks: Block[] };
    expect(estimate(wideView.blocks)).toContain('about $4.00 · 8 s · 1792x1024 · sora-2-pro');
    // The fake keeps the updated view, as Slack shows it.
    expect(estimate(fake.workspace.views().find((v) => v.id === opened.id)?.blocks as Block[])).toContain(
      'about $4.00',
    );

    const back = await change('model', 'sora-2', wideView.hash);
    expect(estimate((back.response.view as { blocks: Block[] }).blocks)).toContain(
      'sora-2 renders 720x1280 or 1280x720',
    );
  });
});
