/**
 * The App Home over the fake Slack, end to end (real Bolt, the real core on SQLite, the emulator):
 * opening the Home tab publishes the person's newest videos (prompt escaped, state, a link to the
 * video), what their budget leaves and a New video button; the button opens the /sora modal aimed at
 * the person's DM, and the video made there lands in the DM; the Home is published again as a video
 * of theirs changes; a long history stays within a Home's 100 blocks; HTTP mode works the same.
 * The fake checks every published view as Slack does (type home, ≤ 100 blocks, sizes, unique block ids).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME_ACTIONS, HOME_BLOCK_LIMIT, HOME_VIDEOS } from '../../adapters/slack/home-view.js';
import { JobLedger } from '../../src/core/job-ledger.js';
import { silentLogger } from '../../src/core/logger.js';
import { formatUsd } from '../../src/core/pricing.js';
import type { PublishedHome, RecordedCall } from '../fakes/slack/index.js';
import { ALICE, BOB, CHANNEL, SlackHarness } from './slack-harness.js';

/** $5 a day per person, so the Home has a budget line to show. */
const DAY_LIMIT = 5_000_000;

let h: SlackHarness;

beforeAll(async () => {
  h = await SlackHarness.start({ budgets: { userDay: DAY_LIMIT } });
});

afterAll(async () => {
  await h?.close();
});

function text(value: unknown): string {
  return JSON.stringify(value ?? []);
}

function callOf(method: string, matches: (c: RecordedCall) => boolean): Promise<RecordedCall> {
  return h.until(
    () => h.fake.calls(method).find(matches),
    () => `a ${method} call that matches`,
  );
}

/** Opens the Home tab as `user` and returns the view published after it. */
async function openHome(user: string, harness = h): Promise<PublishedHome> {
  const before = harness.fake.home.views.publishes(user).length;
  await harness.fake.socket.sendEvent(harness.fake.home.payloads.appHomeOpened({ userId: user }));
  const published = await harness.until(
    () => harness.fake.home.views.publishes(user)[before],
    () => `a Home published for ${user}`,
  );
  return published.view;
}

describe('the App Home tab', () => {
  it('shows an empty Home with the budget and a New video button', async () => {
    const view = await openHome(BOB);
    expect(view.type).toBe('home');
    const button = view.blocks
      .flatMap((b) => (b.type === 'actions' ? (b.elements as Record<string, unknown>[]) : []))
      .find((e) => e.action_id === HOME_ACTIONS.newVideo);
    expect(button?.value).toBe(h.fake.home.payloads.dmChannel(BOB).id);
    expect(text(view.blocks)).toContain(`*${formatUsd(DAY_LIMIT)}* left today`);
    expect(text(view.blocks)).toContain('none yet');
  });

  it('lists the newest videos with the prompt escaped, the state, a link, and the budget spent', async () => {
    const typed = '@channel a *bold* fox & a <@U0ADMIN0001> friend --seconds 4';
    const { ack } = h.command(h.fake.payloads.escapeLikeSlack(typed), { user: ALICE });
    await ack;
    const status = await callOf('chat.postMessage', (c) => text(c.args.blocks).includes('bold'));
    const job = await h.jobByParent(String(status.response.ts));
    const delivered = await h.waitFor(job.id, ['delivered']);
    const cost = h.core.estimateCost({ model: 'sora-2', size: '720x1280', seconds: '4' });

    const view = await openHome(ALICE);
    const all = text(view.blocks);
    expect(all).toContain(job.id);
    expect(all).toContain('ready');
    // Escaped like every echoed prompt: no live broadcast or mention, `&` as an entity.
    expect(all).toContain('@channel a *bold* fox &amp; a &lt;@U0ADMIN0001&gt; friend');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U0ADMIN0001>');
    // The link is Slack's permalink of the message carrying the video (in the job's thread).
    const ts = delivered.deliveredRef?.split(':')[2] ?? '';
    expect(all).toContain(`/archives/${CHANNEL}/p${ts.replace('.', '')}?thread_ts=`);
    expect(all).toContain('Open the video');
    expect(all).toContain(`*${formatUsd(DAY_LIMIT - cost)}* left today`);
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_BLOCK_LIMIT);
  });

  it('is published again when a video of the person changes state', async () => {
    await openHome(ALICE);
    const { ack } = h.command('a heron taking off from a misty pond', { user: ALICE });
    await ack;
    const status = await callOf('chat.postMessage', (c) => text(c.args.blocks).includes('heron'));
    const job = await h.jobByParent(String(status.response.ts));
    await h.waitFor(job.id, ['delivered']);
    // No one opened the tab again: the bot republished it as the job moved on.
    await h.until(
      () => {
        const latest = h.fake.home.views.get(ALICE);
        return latest && text(latest.blocks).includes('heron') && text(latest.blocks).includes('ready');
      },
      () => 'the Home to show the heron video ready',
    );
    // Bob never looked at his Home after his first visit and has no new video: nothing for him.
    expect(h.fake.home.views.publishes(BOB)).toHaveLength(1);
  });

  it('New video opens the /sora modal, and its video is posted in the DM', async () => {
    await openHome(ALICE);
    const dm = h.fake.home.payloads.dmChannel(ALICE).id;
    const click = h.fake.home.payloads.homeButton({ userId: ALICE, actionId: HOME_ACTIONS.newVideo });
    await h.fake.socket.sendInteractive(click);
    const opened = await callOf('views.open', (c) => c.args.trigger_id === click.trigger_id);
    const view = opened.args.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('sora_generate');
    expect(JSON.parse(view.private_metadata)).toEqual({ c: `slack:${h.fake.options.teamId}:${dm}` });

    const submission = h.fake.payloads.viewSubmission({
      viewId: String((opened.response.view as { id: string }).id),
      userId: ALICE,
      values: {
        prompt: { value: { type: 'plain_text_input', value: 'a snow globe being shaken' } },
        seconds: { value: { type: 'static_select', selected_option: { value: '4' } } },
        size: { value: { type: 'static_select', selected_option: { value: '720x1280' } } },
        model: { value: { type: 'static_select', selected_option: { value: 'sora-2' } } },
      },
    });
    await h.fake.socket.sendInteractive(submission);
    const status = await callOf(
      'chat.postMessage',
      (c) => c.args.channel === dm && text(c.args.blocks).includes('snow globe'),
    );
    const job = await h.jobByParent(String(status.response.ts), dm);
    expect(job.conversation).toBe(`slack:${h.fake.options.teamId}:${dm}:${status.response.ts}`);
    await h.waitFor(job.id, ['delivered']);
    await callOf('files.completeUploadExternal', (c) => c.args.channel_id === dm);
  });

  it('ignores the Messages tab', async () => {
    const before = h.fake.home.views.publishes(BOB).length;
    await h.fake.socket.sendEvent(h.fake.home.payloads.appHomeOpened({ userId: BOB, tab: 'messages' }));
    // Then the Home tab: its publish is the next one, so the Messages tab published nothing.
    const view = await openHome(BOB);
    expect(h.fake.home.views.publishes(BOB)).toHaveLength(before + 1);
    expect(view.type).toBe('home');
  });

  it(`shows the ${HOME_VIDEOS} newest of a long history within 100 blocks`, async () => {
    const ledger = new JobLedger(h.store, silentLogger);
    const team = h.fake.options.teamId;
    const user = 'U0MANY00001';
    h.fake.workspace.addUser({ id: user, name: 'many' });
    const t0 = Date.now() - 1_000_000;
    for (let i = 0; i < 130; i++)
      await ledger.create({
        state: 'failed',
        requester: { platform: 'slack', workspace: team, user, isAdmin: false },
        channel: `slack:${team}:${CHANNEL}`,
        conversation: `slack:${team}:${CHANNEL}`,
        request: {
          kind: 'generate',
          prompt: `history video ${i}`,
          seconds: '4',
          size: '720x1280',
          model: 'sora-2',
        },
        failure: { code: 'provider_error', message: 'x', requestId: null },
        createdAt: t0 + i,
        updatedAt: t0 + i,
      });
    const view = await openHome(user);
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_BLOCK_LIMIT);
    const all = text(view.blocks);
    expect(all).toContain('history video 129');
    expect(all).toContain(`history video ${130 - HOME_VIDEOS}`);
    expect(all).not.toContain(`history video ${129 - HOME_VIDEOS}*`);
    expect(all).toContain(`Your ${HOME_VIDEOS} newest of 130 videos`);
  });
});

describe('the App Home in HTTP mode', () => {
  it('publishes the Home for an app_home_opened event sent to /slack/events', async () => {
    const http = await SlackHarness.start({ mode: 'http' });
    try {
      const payload = http.fake.home.payloads.appHomeOpened({ userId: BOB });
      const answer = await http.fake.http.sendEvent(http.eventsUrl, payload);
      expect(answer.status).toBe(200);
      const published = await http.until(() => http.fake.home.views.get(BOB));
      expect(published.type).toBe('home');
      expect(text(published.blocks)).toContain(HOME_ACTIONS.newVideo);
    } finally {
      await http.close();
    }
  });
});
