/**
 * Fuzz: hostile Slack payloads through the real Bolt app over Socket Mode against the fake Slack
 * (test/fakes/slack), the core on SQLite and the emulator. Slash commands with hostile text (raw, and
 * escaped the way Slack escapes what people type), block_actions on the bot's own action ids with
 * hostile values and values of the wrong type, block_actions the bot never made, reaction_added
 * events (on the bot's messages and elsewhere, with wrong and missing fields) and view submissions
 * with wrong or missing fields. Every envelope is acked, every slash command is answered, nothing the
 * bot posts holds live Slack markup (`<!channel>`, `<@U…>`, `<https://…|…>`, …), no unhandled
 * rejection, and a plain `/sora` still makes a video afterwards.
 *
 * One seeded video is delivered first (the target of reactions and real button values); the core then
 * creates at most one video a minute, so the fuzzed videos queue and nothing renders during the run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_IDS, VIEW_IDS } from '../../adapters/slack/action-ids.js';
import { dollars } from '../../src/core/pricing.js';
import type { EnvelopeAck } from '../fakes/slack/index.js';
import { ADMIN, ALICE, BOB, CHANNEL, SlackHarness } from '../slack/slack-harness.js';
import {
  fuzzParameters,
  fuzzRuns,
  fuzzTimeout,
  hostileText,
  slackLiveMarkup,
  wrongType,
} from './hostile-text.js';

/** Slack's deadline is 3 s; a little more for a loaded CI machine. */
const ACK_DEADLINE_MS = 5_000;
const STRANGER = 'U0STRANGER1';

let h: SlackHarness;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
/** The delivered video, and the bot's messages around it (reaction targets). */
let delivered: { id: string; parentTs: string; threadMessages: string[] };
/** A 12-second video waiting for an admin's approval (Approve / Deny targets). */
let pending: { id: string; parentTs: string };

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  h = await SlackHarness.start({
    renderMs: 300,
    // One create a minute: the seeded video renders, the fuzzed ones wait in the queue.
    settings: { maxConcurrent: 1, requestsPerMinute: 1, pollInitialMs: 100, pollMaxMs: 400 },
    budgets: { approvalAbove: dollars(1) },
  });
  // Someone with no videos, no admin rights and no answer cached anywhere.
  h.fake.workspace.addUser({ id: STRANGER, name: 'stranger' });
  await h.command('a lighthouse at dusk, waves rolling in').ack;
  const parent = await h.fake.waitForCall('chat.postMessage', (c) =>
    JSON.stringify(c.args.blocks ?? '').includes('a lighthouse at dusk'),
  );
  const job = await h.jobByParent(String(parent.response.ts));
  await h.waitFor(job.id, ['delivered']);
  const parentTs = String(parent.response.ts);
  await h.until(() => h.fake.workspace.thread(CHANNEL, parentTs).length >= 2);
  delivered = {
    id: job.id,
    parentTs,
    threadMessages: h.fake.workspace.thread(CHANNEL, parentTs).map((m) => m.ts),
  };
  await h.command('a kite over the dunes --seconds 12', { user: BOB }).ack;
  const pendingPost = await h.fake.waitForCall('chat.postMessage', (c) =>
    JSON.stringify(c.args.blocks ?? '').includes('a kite over the dunes'),
  );
  const pendingJob = await h.jobByParent(String(pendingPost.response.ts));
  pending = { id: pendingJob.id, parentTs: String(pendingPost.response.ts) };
}, 60_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await h?.close();
});

// ---------------------------------------------------------------------------------------------------
// What the bot said: every mrkdwn text it sent anywhere (Web API calls, response_urls, acks).

/** Strings Slack renders as mrkdwn: `text` (outside plain_text objects) and file comments. */
function mrkdwnOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) mrkdwnOf(item, out);
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  const record = value as Record<string, unknown>;
  if (record.type === 'plain_text') return out;
  for (const [key, field] of Object.entries(record)) {
    if (typeof field === 'string') {
      if (key === 'text' || key === 'initial_comment') out.push(field);
    } else mrkdwnOf(field, out);
  }
  return out;
}

interface Mark {
  seq: number;
  responsePosts: number;
}

function mark(): Mark {
  return {
    seq: h.fake.calls().at(-1)?.seq ?? 0,
    responsePosts: h.fake.workspace.responseUrlPosts().length,
  };
}

/** Live markup in everything the bot sent since `since` (every call and response_url post). */
function liveMarkupSince(since: Mark, acks: EnvelopeAck[] = []): string[] {
  const texts = [
    ...h.fake
      .calls()
      .filter((c) => c.seq > since.seq)
      .flatMap((c) => mrkdwnOf(c.args)),
    ...h.fake.workspace
      .responseUrlPosts()
      .slice(since.responsePosts)
      .flatMap((p) => mrkdwnOf(p.body)),
    ...acks.flatMap((a) => mrkdwnOf(a.payload)),
  ];
  return texts.flatMap(slackLiveMarkup);
}

/** `<@U…>` of every person who asked for a job in this run (the bot pings them when it ends). */
function jobRequesterMentions(): string[] {
  return h.fake
    .calls('chat.postMessage')
    .map((c) => String(c.args.text ?? ''))
    .flatMap((text) => text.match(/^<@U[A-Z0-9]+>/) ?? []);
}

/** Something reached the person since `since`: a post, an ephemeral, a modal or a response_url post. */
function answeredSince(since: Mark, payload: Record<string, unknown>): boolean {
  if (
    typeof payload.response_url === 'string' &&
    h.fake.workspace.responseUrlPosts(payload.response_url).length
  )
    return true;
  return h.fake
    .calls()
    .some(
      (c) =>
        c.seq > since.seq &&
        c.response.ok === true &&
        (c.method === 'chat.postMessage' ||
          c.method === 'chat.postEphemeral' ||
          (c.method === 'views.open' && c.args.trigger_id === payload.trigger_id)),
    );
}

async function waitAnswered(since: Mark, payload: Record<string, unknown>) {
  await h.until(
    () => answeredSince(since, payload),
    () => 'no answer reached the person',
  );
}

const user = fc.constantFrom(ALICE, BOB, ADMIN, STRANGER);
const realActionId = fc.constantFrom(...Object.values(ACTION_IDS));

// ---------------------------------------------------------------------------------------------------
// Acks. Every envelope is tracked; one that is never acked is listed (with what was sent) by the last
// test instead of stopping its property, so the other checks still see every input.

type Delivery = 'slash' | 'event' | 'interactive';
/**
 * `sent`: a payload of the shape Slack sends for the bot's own command, buttons, modals and reactions
 * (whatever the person typed or picked); `forged`: one Slack would not send (an action or modal the
 * bot never made, a missing or mistyped field), as from an older version's buttons or an attacker.
 */
type Origin = 'sent' | 'forged';
const envelopes: { category: string; what: string; acked: Promise<EnvelopeAck | undefined> }[] = [];

function describeInput(input: unknown): string {
  const text = JSON.stringify(input, (_k, v) => (v === undefined ? '(missing)' : v)) ?? String(input);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Sends an envelope; resolves with its ack, or undefined when none came within Slack's deadline. */
function send(
  kind: Delivery,
  origin: Origin,
  category: string,
  payload: unknown,
  what: unknown,
): Promise<EnvelopeAck | undefined> {
  const options = { timeoutMs: ACK_DEADLINE_MS };
  const delivery =
    kind === 'slash'
      ? h.fake.socket.sendSlashCommand(payload, options)
      : kind === 'event'
        ? h.fake.socket.sendEvent(payload, options)
        : h.fake.socket.sendInteractive(payload, options);
  const acked = delivery.then(
    (ack) => ack,
    () => undefined,
  );
  envelopes.push({ category: `${origin}: ${category}`, what: describeInput(what), acked });
  return acked;
}

/** Envelopes of `origin` that were never acked: per category, how many of how many, and examples. */
async function unackedSummary(origin: Origin) {
  const summary: Record<string, { unacked: number; of: number; examples: string[] }> = {};
  for (const envelope of envelopes.filter((e) => e.category.startsWith(`${origin}:`))) {
    const entry = summary[envelope.category] ?? { unacked: 0, of: 0, examples: [] };
    summary[envelope.category] = entry;
    entry.of += 1;
    if (await envelope.acked) continue;
    entry.unacked += 1;
    if (entry.examples.length < 3) entry.examples.push(envelope.what);
  }
  return Object.fromEntries(Object.entries(summary).filter(([, entry]) => entry.unacked > 0));
}

// ---------------------------------------------------------------------------------------------------

describe('fuzzed Slack payloads through Bolt over Socket Mode', () => {
  it('acks and answers 400 hostile /sora commands, echoing nothing live', {
    timeout: fuzzTimeout(400, 150),
  }, async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, fc.boolean(), user, async (typed, escaped, who) => {
        const since = mark();
        const text = escaped ? h.fake.payloads.escapeLikeSlack(typed) : typed;
        const payload = h.fake.payloads.slashCommand({ text, userId: who, channelId: CHANNEL });
        const ack = await send('slash', 'sent', '/sora', payload, { text, user: who });
        if (!ack) return;
        const ackText = (ack.payload as { text?: unknown } | undefined)?.text;
        if (typeof ackText !== 'string' || ackText.length === 0) await waitAnswered(since, payload);
        expect(liveMarkupSince(since, [ack])).toEqual([]);
      }),
      { ...fuzzParameters(400), endOnFailure: true },
    );
  });

  it('acks 100 reaction_added events of every shape, and offers a remix for the remix emoji on the video', {
    timeout: fuzzTimeout(100, 150),
  }, async () => {
    const targets = [delivered.parentTs, ...delivered.threadMessages, pending.parentTs];
    const item = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          type: fc.constant('message'),
          channel: fc.constant(CHANNEL),
          ts: fc.oneof(fc.constantFrom(...targets), fc.constant('1700000000.000100')),
        }),
      },
      { weight: 1, arbitrary: fc.record({ type: wrongType, channel: wrongType, ts: wrongType }) },
      { weight: 1, arbitrary: wrongType },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('repeat', 'x') },
          { weight: 1, arbitrary: fc.constantFrom('thumbsup', 'repeat::skin-tone-2', '') },
          { weight: 1, arbitrary: hostileText },
          { weight: 1, arbitrary: wrongType },
        ),
        item,
        user,
        fc.oneof(
          { weight: 5, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom('item', 'user', 'reaction', 'event_id', 'team_id') },
        ),
        async (reaction, target, who, missing) => {
          const since = mark();
          const base = h.fake.payloads.reactionAdded({
            channel: CHANNEL,
            ts: delivered.parentTs,
            reaction: 'x',
          });
          const event: Record<string, unknown> = { ...base.event, reaction, user: who, item: target };
          const envelope: Record<string, unknown> = { ...base, event };
          if (missing === 'event_id' || missing === 'team_id') delete envelope[missing];
          else if (missing) delete event[missing];
          const wellFormed =
            missing === undefined &&
            typeof target === 'object' &&
            target !== null &&
            typeof reaction === 'string';
          const ack = send(
            'event',
            wellFormed ? 'sent' : 'forged',
            wellFormed ? 'reaction_added' : 'reaction_added with a missing or mistyped field',
            envelope,
            { dropped: missing ?? 'nothing', reaction, item: target, user: who },
          );
          const onVideo =
            reaction === 'repeat' &&
            missing === undefined &&
            typeof target === 'object' &&
            target !== null &&
            (target as { type?: unknown }).type === 'message' &&
            (target as { channel?: unknown }).channel === CHANNEL &&
            delivered.threadMessages.includes((target as { ts?: unknown }).ts as string);
          if (onVideo && (await ack))
            await h.until(
              () =>
                h.fake
                  .calls('chat.postEphemeral')
                  .some((c) => c.seq > since.seq && JSON.stringify(c.args.blocks).includes(delivered.id)),
              () => 'no remix offer for a remix reaction on the video',
            );
          expect(liveMarkupSince(since)).toEqual([]);
        },
      ),
      { ...fuzzParameters(100), endOnFailure: true },
    );
  });

  it('acks 100 view submissions with wrong or missing fields, answering the bot’s own modals', {
    timeout: fuzzTimeout(100, 150),
  }, async () => {
    const answers: Promise<{ ack: EnvelopeAck | undefined; what: string }>[] = [];
    const conversation = `slack:${h.fake.options.teamId}:${CHANNEL}`;
    const generateMeta = JSON.stringify({ c: conversation });
    const remixMetas = [delivered.id, pending.id, 'zzzzzz'].map((j) =>
      JSON.stringify({ c: `${conversation}:${delivered.parentTs}`, j }),
    );
    const metadata = fc.oneof(
      { weight: 3, arbitrary: fc.constant(generateMeta) },
      { weight: 2, arbitrary: fc.constantFrom(...remixMetas) },
      {
        weight: 2,
        arbitrary: fc
          .record({ c: fc.oneof(hostileText, wrongType), f: wrongType, n: wrongType, j: wrongType })
          .map((m) => JSON.stringify(m)),
      },
      { weight: 1, arbitrary: hostileText },
      { weight: 1, arbitrary: wrongType },
    );
    const input = (value: fc.Arbitrary<unknown>) =>
      fc.oneof(
        { weight: 4, arbitrary: value.map((v) => ({ value: { type: 'plain_text_input', value: v } })) },
        { weight: 1, arbitrary: value.map((v) => ({ value: v })) },
        { weight: 1, arbitrary: wrongType },
      );
    const select = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom('4', '8', '12', '720x1280', '1280x720', 'sora-2', 'sora-2-pro'),
      },
      { weight: 1, arbitrary: hostileText },
      { weight: 1, arbitrary: wrongType },
    );
    const selectInput = fc.oneof(
      {
        weight: 4,
        arbitrary: select.map((v) => ({ value: { type: 'static_select', selected_option: { value: v } } })),
      },
      { weight: 1, arbitrary: wrongType },
    );
    const values = fc.record(
      {
        prompt: input(fc.oneof({ weight: 4, arbitrary: hostileText }, { weight: 1, arbitrary: wrongType })),
        seconds: selectInput,
        size: selectInput,
        model: selectInput,
        image: fc.oneof(
          fc.constant({ files: { type: 'file_input', files: [] } }),
          fc.record({
            files: fc.record({
              type: fc.constant('file_input'),
              files: fc.array(wrongType, { maxLength: 2 }),
            }),
          }),
          wrongType,
        ),
      },
      // Slack sends every input block of the modal; the file field only when it was touched.
      { requiredKeys: ['prompt', 'seconds', 'size', 'model'] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(VIEW_IDS.generate, VIEW_IDS.remix) },
          { weight: 1, arbitrary: hostileText },
        ),
        metadata,
        values,
        user,
        fc.oneof(
          { weight: 5, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom('state', 'private_metadata', 'user', 'hash') },
        ),
        async (callbackId, privateMetadata, state, who, missing) => {
          const since = mark();
          const payload = h.fake.payloads.viewSubmission({
            callbackId,
            values: state as Record<string, Record<string, unknown>>,
            userId: who,
          }) as Record<string, unknown> & { view: Record<string, unknown> };
          payload.view.private_metadata = privateMetadata;
          if (missing === 'user') delete payload.user;
          else if (missing) delete payload.view[missing];
          // Not awaited: a submission that is never acked would hold the property for the whole deadline.
          const own = callbackId === VIEW_IDS.generate || callbackId === VIEW_IDS.remix;
          const acked = send(
            'interactive',
            own && missing === undefined ? 'sent' : 'forged',
            !own
              ? 'view_submission of a modal the bot never opened'
              : missing
                ? `view_submission without ${missing === 'user' ? 'user' : `view.${missing}`}`
                : 'view_submission of the bot’s modals',
            payload,
            {
              dropped: missing ?? 'nothing',
              callbackId,
              privateMetadata,
              values: state,
              user: who,
            },
          );
          answers.push(
            acked.then((ack) => ({
              ack,
              what: describeInput({ callbackId, privateMetadata, values: state }),
            })),
          );
          // A submission of one of the bot's own modals, as the bot made it: a job, or a private answer.
          const meta = typeof privateMetadata === 'string' ? privateMetadata : '';
          const ours =
            missing === undefined &&
            ((callbackId === VIEW_IDS.generate && (meta === generateMeta || remixMetas.includes(meta))) ||
              (callbackId === VIEW_IDS.remix && remixMetas.includes(meta)));
          const ack = ours ? await acked : undefined;
          if (ack && (ack.payload as { response_action?: unknown } | undefined)?.response_action !== 'errors')
            await waitAnswered(since, payload);
          expect(liveMarkupSince(since)).toEqual([]);
        },
      ),
      { ...fuzzParameters(100), endOnFailure: true },
    );
    // Problems shown next to their fields: short plain sentences.
    const longErrors: string[] = [];
    for (const { ack, what } of await Promise.all(answers)) {
      const answer = ack?.payload as { response_action?: unknown; errors?: unknown } | undefined;
      if (answer?.response_action !== 'errors') continue;
      for (const [field, message] of Object.entries(answer.errors as Record<string, unknown>)) {
        expect(typeof message).toBe('string');
        if ((message as string).length >= 500)
          longErrors.push(`${field}: ${(message as string).length} characters, for ${what}`);
      }
    }
    expect(longErrors).toEqual([]);
  });

  it('acks 150 clicks on the bot’s own buttons with hostile values and values of the wrong type', {
    timeout: fuzzTimeout(150, 150),
  }, async () => {
    const value = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(delivered.id, pending.id, 'zzzzzz', '1:0', '2:1', '99999:1', '0:0'),
      },
      { weight: 2, arbitrary: hostileText },
      { weight: 1, arbitrary: wrongType },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
    await fc.assert(
      fc.asyncProperty(
        realActionId,
        value,
        user,
        fc.oneof(
          fc.constant({ ts: delivered.parentTs, ephemeral: false }),
          fc.constant({ ts: pending.parentTs, ephemeral: false }),
          fc.constant({ ts: '1700000000.000200', ephemeral: true }),
        ),
        fc.constantFrom('button', 'static_select', 'overflow'),
        async (actionId, actionValue, who, where, type) => {
          const since = mark();
          const payload = h.fake.payloads.blockActions({
            channel: CHANNEL,
            messageTs: where.ts,
            ephemeral: where.ephemeral,
            userId: who,
            actions: [{ action_id: actionId, type }],
          });
          const action = payload.actions[0] as Record<string, unknown>;
          if (actionValue !== undefined) action.value = actionValue;
          const ack = await send('interactive', 'sent', 'block_actions on the bot’s buttons', payload, {
            actionId,
            value: actionValue,
            user: who,
            where,
            type,
          });
          // A click the bot can read (its own id, a job or page it made) is answered; a delete of
          // the delivered video takes it away for the rest of the run, which is fine.
          const readable =
            (actionId === ACTION_IDS.listPage &&
              typeof actionValue === 'string' &&
              /^\d{1,5}:[01]$/.test(actionValue)) ||
            (actionId !== ACTION_IDS.listPage &&
              (actionValue === delivered.id || actionValue === pending.id || actionValue === 'zzzzzz'));
          if (readable && ack) await waitAnswered(since, payload);
          expect(liveMarkupSince(since)).toEqual([]);
        },
      ),
      { ...fuzzParameters(150), endOnFailure: true },
    );
  });

  it('acks 50 block_actions the bot never made (unknown action ids, missing or malformed actions)', {
    timeout: fuzzTimeout(50, 150),
  }, async () => {
    const actions = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.oneof(hostileText, fc.string({ maxLength: 20 })),
            fc.option(hostileText, { nil: undefined }),
          )
          .map(([action_id, value]) => [
            {
              type: 'button',
              action_id: action_id || 'x',
              block_id: 'b1',
              ...(value === undefined ? {} : { value }),
              action_ts: '1700000000.000300',
            },
          ]),
      },
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(wrongType, { maxLength: 2 }) },
    );
    await fc.assert(
      fc.asyncProperty(actions, user, async (list, who) => {
        const since = mark();
        const payload = h.fake.payloads.blockActions({
          channel: CHANNEL,
          messageTs: delivered.parentTs,
          userId: who,
          actions: [{ action_id: 'placeholder' }],
        }) as Record<string, unknown>;
        payload.actions = list;
        const shaped = list.length === 1 && typeof list[0] === 'object' && list[0] !== null;
        void send(
          'interactive',
          'forged',
          shaped
            ? 'block_actions with an action id the bot never made'
            : 'block_actions with no or malformed actions',
          payload,
          { actions: list, user: who },
        );
        expect(liveMarkupSince(since)).toEqual([]);
      }),
      { ...fuzzParameters(50), endOnFailure: true },
    );
  });

  it('still makes a video from a plain /sora, posted nothing live, and left no unhandled rejection', async () => {
    const since = mark();
    const payload = h.fake.payloads.slashCommand({
      text: 'a calm sea at noon',
      userId: ALICE,
      channelId: CHANNEL,
    });
    const ack = await send('slash', 'sent', '/sora', payload, { text: 'a calm sea at noon' });
    expect(ack?.payload ?? {}).toEqual({});
    const post = await h.fake.waitForCall(
      'chat.postMessage',
      (c) => c.seq > since.seq && JSON.stringify(c.args.blocks ?? '').includes('a calm sea at noon'),
    );
    const job = await h.jobByParent(String(post.response.ts));
    expect(['accepted', 'waiting', 'submitted', 'rendering']).toContain(job.state);
    // Everything the bot sent during the whole run, acks included.
    const acks = h.fake.socket
      .deliveries()
      .map((d) => d.ack)
      .filter((a): a is EnvelopeAck => a !== undefined);
    // The one live mention the bot writes itself: the requester's ping when a job ends (issue 12),
    // built from a Slack user id of the people in this workspace, never from typed text. Each step above
    // already checked that no command's own answer carried any live markup.
    const pings = new Set(jobRequesterMentions());
    const live = liveMarkupSince({ seq: 0, responsePosts: 0 }, acks);
    expect(live.filter((markup) => !pings.has(markup))).toEqual([]);
    // Not vacuous: hostile prompts were echoed (as text), links and pings included.
    const echoed = h.fake.calls().flatMap((c) => mrkdwnOf(c.args));
    expect(echoed.some((text) => text.includes('evil.example'))).toBe(true);
    expect(echoed.some((text) => text.includes('@channel') || text.includes('&lt;!channel&gt;'))).toBe(true);
    expect(h.fake.socket.openConnections().length).toBe(1);
    expect(unhandled).toEqual([]);
  });

  it('acked every envelope Slack sends for the bot’s own command, buttons, modals and reactions', async () => {
    expect(envelopes.length).toBeGreaterThanOrEqual(fuzzRuns(800));
    expect(await unackedSummary('sent')).toEqual({});
  });

  it('acked every forged or stale envelope too (an action or modal the bot never made, missing fields)', async () => {
    expect(await unackedSummary('forged')).toEqual({});
  });
});
