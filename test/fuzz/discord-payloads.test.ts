/**
 * Fuzz: hostile Discord interactions and reactions through the real discord.js client (inside the
 * whole bot: startBot, SQLite, the embedded emulator) over the wire-level fake Discord
 * (test/fakes/discord). Slash commands with hostile option values, options of the wrong type, missing
 * and unknown options; button clicks with random custom_ids (and the bot's own forms with hostile job
 * ids), in guild channels and in DMs; modal submissions with missing or hostile fields; reactions of
 * every emoji on the bot's messages and elsewhere. Every interaction is answered (deferred, replied,
 * updated or a modal), every message write carries `allowed_mentions: {parse: []}`, no masked link
 * `[text](https://…)` from the input survives in content or embeds, no unhandled rejection, and a plain
 * `/sora generate` still works afterwards.
 *
 * One seeded video is delivered first (the target of reactions and real button ids); the bot then
 * creates at most one video a minute, so the fuzzed videos queue and nothing renders during the run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../../adapters/discord/command-definitions.js';
import { decodeComponentId } from '../../adapters/discord/custom-ids.js';
import { solidPng } from '../cli/fixtures.js';
import {
  customIdsOf,
  type DiscordTestBot,
  jobIdIn,
  mentioningWrites,
  startDiscordTestBot,
  waitForDelivery,
  waitForJobId,
} from '../discord/discord-test-bot.js';
import type {
  CallbackRecord,
  InteractionHandle,
  SeededAttachment,
  SlashOptionValue,
} from '../fakes/discord/index.js';
import { discordMaskedLinks, fuzzParameters, fuzzRuns, fuzzTimeout, hostileText } from './hostile-text.js';

const ALICE = '100000000000000001';
const BOB = '100000000000000002';
/** An admin (SORA_ADMINS). */
const CAROL = '100000000000000003';
/** Accepts no DMs from the bot: a reaction's answer goes to the channel. */
const DAVE = '100000000000000004';
const PEOPLE = [ALICE, BOB, CAROL, DAVE];
/** Discord's deadline is 3 s; a little more for a loaded CI machine. */
const ANSWER_DEADLINE_MS = 5_000;

let t: DiscordTestBot;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
/** The delivered video and its message (reaction and button target). */
let delivered: { id: string; messageId: string; statusId: string };
/** A 12-second video waiting for an admin's approval (Approve / Deny targets). */
let pending: { id: string; statusId: string };
let attachments: SeededAttachment[];

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  t = await startDiscordTestBot({
    fake: {
      users: [
        { id: ALICE, username: 'alice' },
        { id: BOB, username: 'bob' },
        { id: CAROL, username: 'carol' },
        { id: DAVE, username: 'dave', dmsClosed: true },
      ],
    },
    env: {
      SORA_ADMINS: `discord:${CAROL}`,
      // One create a minute: the seeded video renders, the fuzzed ones wait in the queue.
      SORA_RPM: '1',
      SORA_MAX_CONCURRENT: '1',
      SORA_APPROVAL_ABOVE: '1',
      SORA_MAX_PENDING_PER_USER: '10000',
    },
  });
  const first = t.fake.interactions.slashCommand({
    userId: ALICE,
    options: { prompt: 'a lighthouse at dusk, waves rolling in' },
  });
  const id = await waitForJobId(t.fake, first);
  const message = await waitForDelivery(t.fake, id);
  delivered = { id, messageId: message.id, statusId: first.record.originalMessageId! };
  const second = t.fake.interactions.slashCommand({
    userId: BOB,
    options: { prompt: 'a kite over the dunes', seconds: 12 },
  });
  pending = { id: await waitForJobId(t.fake, second), statusId: second.record.originalMessageId! };
  attachments = [
    t.fake.seedAttachment({
      filename: 'harbour.png',
      bytes: solidPng(64, 48),
      contentType: 'image/png',
      width: 64,
      height: 48,
    }),
    t.fake.seedAttachment({
      filename: 'notes.png',
      bytes: Buffer.from('not a picture at all'),
      contentType: 'image/png',
    }),
    t.fake.seedAttachment({
      filename: '<@&1>[x](https://evil.example).txt',
      bytes: Buffer.from('hello'),
      contentType: 'text/plain',
    }),
  ];
}, 60_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await t?.close();
});

// ---------------------------------------------------------------------------------------------------
// What the bot wrote: content and embed texts of every REST call and interaction callback.

/** The texts of a message body that Discord renders as markdown. */
function renderedTexts(body: unknown): string[] {
  if (body === null || typeof body !== 'object') return [];
  const record = body as { content?: unknown; embeds?: unknown; data?: unknown };
  const out: string[] = [];
  if (typeof record.content === 'string') out.push(record.content);
  if (Array.isArray(record.embeds))
    for (const embed of record.embeds as Record<string, unknown>[]) {
      for (const key of ['title', 'description'] as const)
        if (typeof embed?.[key] === 'string') out.push(embed[key] as string);
      const footer = embed?.footer as { text?: unknown } | undefined;
      if (typeof footer?.text === 'string') out.push(footer.text);
      const author = embed?.author as { name?: unknown } | undefined;
      if (typeof author?.name === 'string') out.push(author.name);
      for (const field of (embed?.fields as { name?: unknown; value?: unknown }[] | undefined) ?? [])
        for (const text of [field?.name, field?.value]) if (typeof text === 'string') out.push(text);
    }
  if (record.data) out.push(...renderedTexts(record.data));
  return out;
}

/** Masked links in everything the bot wrote from REST call `from` on. */
function maskedLinksSince(from: number): string[] {
  return t.fake.recorder.calls
    .slice(from)
    .flatMap((call) => renderedTexts(call.json).flatMap((text) => discordMaskedLinks(text)));
}

// ---------------------------------------------------------------------------------------------------
// Answers. Every interaction is tracked; one never answered is listed (with what was sent) by the last
// tests instead of stopping its property, so the other checks still see every input.

/**
 * `sent`: an interaction of the shape Discord sends for the bot's own commands, buttons and modals
 * (whatever the person typed, including options Discord's client would have refused); `forged`: one
 * naming a command, button or modal the bot never made (an older version's, or an attacker's).
 */
type Origin = 'sent' | 'forged';
const interactions: {
  category: string;
  what: string;
  handle: InteractionHandle;
  answered: Promise<CallbackRecord | undefined>;
}[] = [];

function describeInput(input: unknown): string {
  const text = JSON.stringify(input, (_k, v) => (v === undefined ? '(missing)' : v)) ?? String(input);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function track(handle: InteractionHandle, origin: Origin, category: string, what: unknown) {
  const answered = handle.waitForCallback(ANSWER_DEADLINE_MS).then(
    (callback) => callback,
    () => undefined,
  );
  interactions.push({ category: `${origin}: ${category}`, what: describeInput(what), handle, answered });
  return answered;
}

async function unansweredSummary(origin: Origin) {
  const summary: Record<string, { unanswered: number; of: number; examples: string[] }> = {};
  for (const interaction of interactions.filter((i) => i.category.startsWith(`${origin}:`))) {
    const entry = summary[interaction.category] ?? { unanswered: 0, of: 0, examples: [] };
    summary[interaction.category] = entry;
    entry.of += 1;
    if (await interaction.answered) continue;
    entry.unanswered += 1;
    if (entry.examples.length < 3) entry.examples.push(interaction.what);
  }
  return Object.fromEntries(Object.entries(summary).filter(([, entry]) => entry.unanswered > 0));
}

const person = fc.constantFrom(...PEOPLE);
/** Job ids: the real ones, a well-formed unknown one, and garbage. */
const jobIdish = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(delivered.id, pending.id, 'zzzzzz', delivered.id.toUpperCase()) },
    { weight: 2, arbitrary: hostileText.map((text) => text.slice(0, 40)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );

// ---------------------------------------------------------------------------------------------------

describe('fuzzed Discord interactions through discord.js over the fake Discord', () => {
  it('answers 400 /sora commands with hostile, mistyped, missing and unknown options', {
    timeout: fuzzTimeout(400, 150),
  }, async () => {
    const user = fc.constantFrom(...PEOPLE).map((userId) => ({ kind: 'user' as const, userId }));
    /** Text options: hostile text, or one of the values the command expects. */
    const text = (known: string[], hostile = 1, expected = 1) =>
      fc.oneof(
        { weight: hostile, arbitrary: hostileText },
        { weight: expected, arbitrary: fc.constantFrom(...known) },
      );
    /** An optional option: present `present` times in `of`. */
    const maybe = (arbitrary: fc.Arbitrary<SlashOptionValue>, present = 1, of = 2) =>
      fc.oneof({ weight: present, arbitrary }, { weight: of - present, arbitrary: fc.constant(undefined) });
    /** Each subcommand's options as the command declares them, with hostile values of the right type. */
    const declared: Record<string, Record<string, fc.Arbitrary<SlashOptionValue | undefined>>> = {
      generate: {
        prompt: hostileText,
        image: maybe(fc.constantFrom(...attachments), 1, 6),
        seconds: maybe(
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(4, 8, 12) },
            { weight: 1, arbitrary: fc.integer() },
          ),
        ),
        size: maybe(text(['1280x720', '720x1280', '1792x1024'], 1, 3), 1, 3),
        model: maybe(text(['sora-2', 'sora-2-pro'], 1, 3), 1, 3),
      },
      remix: { video: jobIdish(), prompt: hostileText },
      status: { video: jobIdish() },
      delete: { video: jobIdish() },
      list: {
        all: maybe(fc.boolean()),
        page: maybe(fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer())),
      },
      budget: {
        workspace: maybe(text(['300/month', 'off', '5/day']), 1, 3),
        user: maybe(user, 1, 3),
        amount: maybe(text(['5/day', '40/month', 'off']), 1, 3),
      },
      usage: { period: maybe(text(['month', 'day', '2026-11'])) },
      help: {},
    };
    /** A value of any option type: for options of the wrong type and options no command declares. */
    const anyValue: fc.Arbitrary<SlashOptionValue> = fc.oneof(
      hostileText,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      user,
      fc.constantFrom(...attachments),
    );
    const optionsOf = (subcommand: string | null): fc.Arbitrary<Record<string, SlashOptionValue>> => {
      const fields = declared[subcommand ?? ''] ?? {};
      const names = Object.keys(fields);
      return fc
        .tuple(
          fc.record(fields),
          // Most commands as Discord's client sends them; some with an option of the wrong type,
          // a required one missing, or one no command declares.
          fc.oneof(
            { weight: 6, arbitrary: fc.constant(undefined) },
            {
              weight: 1,
              arbitrary: fc.tuple(
                fc.oneof(
                  fc.constantFrom(...names, 'prompt', 'video'),
                  fc.string({ minLength: 1, maxLength: 12 }),
                ),
                fc.oneof(anyValue, fc.constant(undefined)),
              ),
            },
          ),
        )
        .map(([picked, change]) => {
          const options = Object.fromEntries(
            Object.entries(picked).filter(
              (entry): entry is [string, SlashOptionValue] => entry[1] !== undefined,
            ),
          );
          if (change) {
            const [name, value] = change;
            if (value === undefined) delete options[name];
            else options[name] = value;
          }
          return options;
        });
    };
    const command = fc
      .oneof(
        { weight: 12, arbitrary: fc.constantFrom(...SUBCOMMANDS) },
        { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
        { weight: 1, arbitrary: fc.constant(null) },
      )
      .chain((subcommand) => optionsOf(subcommand).map((options) => ({ subcommand, options })));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 20, arbitrary: fc.constant('sora') },
          { weight: 1, arbitrary: fc.constantFrom('sora-old', 'video', 'Remix with Sora') },
        ),
        command,
        person,
        async (name, { subcommand, options: opts }, userId) => {
          const from = t.fake.recorder.calls.length;
          const handle = t.fake.interactions.slashCommand({ name, subcommand, options: opts, userId });
          const what = { name, subcommand, options: opts, userId };
          if (name !== 'sora') {
            void track(handle, 'forged', 'a command the bot never registered', what);
            return;
          }
          const answered = await track(handle, 'sent', '/sora', what);
          if (answered && answered.type === 4) expect(maskedLinksSince(from)).toEqual([]);
        },
      ),
      { ...fuzzParameters(400), endOnFailure: true },
    );
  });

  it('takes 100 reactions of every emoji on the bot’s messages and elsewhere, and offers a remix privately', {
    timeout: fuzzTimeout(100, 150),
  }, async () => {
    const answeredRemix = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('🔁', '❌') },
          { weight: 1, arbitrary: fc.constantFrom('👍', '🎬', '🔁\ufe0f', '') },
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.bigInt({ min: 1n, max: 2n ** 63n }), hostileText)
              .map(([id, name]) => ({ id: id.toString(), name: name.slice(0, 32) || 'x' })),
          },
        ),
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(delivered.messageId, delivered.statusId, pending.statusId),
          },
          { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 2n ** 63n }).map(String) },
        ),
        person,
        async (emoji, messageId, userId) => {
          const from = t.fake.recorder.calls.length;
          t.fake.reactionAdd({ messageId, channelId: t.fake.channelId, userId, emoji });
          const job = await t.bot.core.jobRecord(delivered.id);
          // The first 🔁 of each person on the video is answered in a DM (in the channel when DMs are closed).
          if (
            emoji === '🔁' &&
            messageId === delivered.messageId &&
            job?.state === 'delivered' &&
            !answeredRemix.has(userId)
          ) {
            answeredRemix.add(userId);
            await t.fake.waitFor(() => {
              const dm = t.fake.dmsOf(userId).some((m) => m.content.includes(delivered.id));
              const inChannel = t.fake
                .messagesIn(t.fake.channelId)
                .some(
                  (m) =>
                    m.authorId === t.fake.bot.id &&
                    m.messageReferenceId === messageId &&
                    customIdsOf(m).includes(`sora:remix:${delivered.id}`),
                );
              return dm || inChannel;
            }, ANSWER_DEADLINE_MS);
          }
          expect(maskedLinksSince(from)).toEqual([]);
        },
      ),
      { ...fuzzParameters(100), endOnFailure: true },
    );
  });

  it('answers 200 button clicks with random custom_ids, in the channel and in DMs', {
    timeout: fuzzTimeout(200, 150),
  }, async () => {
    const customId = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .tuple(fc.constantFrom('remix', 'delete', 'approve', 'deny'), jobIdish())
          .map(([kind, id]) => `sora:${kind}:${id}`),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.oneof(fc.integer({ min: -5, max: 100_000 }).map(String), hostileText),
            fc.constantFrom('all', 'mine', 'x'),
          )
          .map(([page, all]) => `sora:list:${page}:${all}`),
      },
      { weight: 1, arbitrary: fc.constantFrom(`sora:remix-modal:${delivered.id}`, 'sora:animate-modal:123') },
      { weight: 2, arbitrary: hostileText.map((text) => text.slice(0, 100)) },
      { weight: 1, arbitrary: hostileText.map((text) => `sora:${text}`.slice(0, 100)) },
    );
    await fc.assert(
      fc.asyncProperty(customId, person, fc.boolean(), async (id, userId, inDm) => {
        const from = t.fake.recorder.calls.length;
        const dm = inDm ? t.fake.dmChannelOf(userId)?.id : undefined;
        const handle = t.fake.interactions.button({ customId: id, userId, ...(dm ? { channelId: dm } : {}) });
        const decoded = decodeComponentId(id);
        const ours =
          decoded !== undefined && decoded.kind !== 'remix_modal' && decoded.kind !== 'animate_modal';
        const what = { customId: id, userId, inDm: Boolean(dm) };
        if (ours) {
          const answered = await track(handle, 'sent', `a click on the bot’s ${decoded.kind} button`, what);
          if (answered) expect(maskedLinksSince(from)).toEqual([]);
        } else void track(handle, 'forged', 'a click on a button the bot never made', what);
      }),
      { ...fuzzParameters(200), endOnFailure: true },
    );
  });

  it('answers 100 modal submissions with missing, extra and hostile fields', {
    timeout: fuzzTimeout(100, 150),
  }, async () => {
    const customId = fc.oneof(
      { weight: 4, arbitrary: jobIdish().map((id) => `sora:remix-modal:${id}`) },
      {
        weight: 2,
        arbitrary: fc
          .oneof(fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String), hostileText)
          .map((key) => `sora:animate-modal:${key}`),
      },
      { weight: 1, arbitrary: hostileText.map((text) => text.slice(0, 100)) },
    );
    const fields = fc.dictionary(
      fc.oneof(
        { weight: 4, arbitrary: fc.constant('prompt') },
        { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
      ),
      hostileText,
      { maxKeys: 3 },
    );
    const selects = fc.dictionary(
      fc.constantFrom('seconds', 'model', 'size'),
      fc.array(fc.oneof(fc.constantFrom('4', '8', '12', 'sora-2', 'sora-2-pro'), hostileText), {
        maxLength: 2,
      }),
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(
        customId,
        fields,
        selects,
        person,
        fc.boolean(),
        async (id, texts, picked, userId, inDm) => {
          const from = t.fake.recorder.calls.length;
          const dm = inDm ? t.fake.dmChannelOf(userId)?.id : undefined;
          const handle = t.fake.interactions.modalSubmit({
            customId: id,
            fields: texts,
            selects: picked,
            userId,
            ...(dm ? { channelId: dm } : {}),
          });
          const decoded = decodeComponentId(id);
          // The animate modal opens from a context menu, which exists only in servers.
          const ours = decoded?.kind === 'remix_modal' || (decoded?.kind === 'animate_modal' && !dm);
          const what = { customId: id, fields: texts, selects: picked, userId, inDm: Boolean(dm) };
          if (ours) {
            const answered = await track(
              handle,
              'sent',
              'prompt' in texts
                ? 'a submission of the bot’s modal'
                : 'a submission of the bot’s modal without its prompt',
              what,
            );
            if (answered) expect(maskedLinksSince(from)).toEqual([]);
          } else
            void track(
              handle,
              'forged',
              decoded
                ? 'a submission of the animate modal in a DM'
                : 'a submission of a modal the bot never opened',
              what,
            );
        },
      ),
      { ...fuzzParameters(100), endOnFailure: true },
    );
  });

  it('filled every deferred answer ("thinking…") with a message', {
    timeout: fuzzTimeout(700, 100),
  }, async () => {
    const deferred: { what: string; handle: InteractionHandle }[] = [];
    for (const interaction of interactions)
      if ((await interaction.answered)?.type === 5) deferred.push(interaction);
    // The deferred message got its content, or was replaced by a private follow-up (a refusal).
    const filled = (handle: InteractionHandle) => {
      const id = handle.record.originalMessageId;
      const message = id ? t.fake.message(id) : undefined;
      if (message && (message.content !== '' || message.embeds.length > 0)) return true;
      return t.fake.recorder.calls.some(
        (c) =>
          c.method === 'POST' &&
          c.route === '/webhooks/:applicationId/:token' &&
          c.params.token === handle.token &&
          c.status !== null &&
          c.status < 300,
      );
    };
    // A backlog of job starts may still be draining after the flood.
    const deadline = Date.now() + fuzzTimeout(700, 100) - 5_000;
    while (deferred.some((d) => !filled(d.handle)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const empty = deferred.filter((d) => !filled(d.handle)).map((d) => d.what);
    expect(deferred.length).toBeGreaterThan(0);
    expect(
      empty.slice(0, 5),
      `${empty.length} of ${deferred.length} deferred answers never got a message`,
    ).toEqual([]);
  });

  it('still makes a video from a plain /sora generate, and left no unhandled rejection', async () => {
    const handle = t.fake.interactions.slashCommand({
      userId: BOB,
      options: { prompt: 'a calm sea at noon' },
    });
    const callback = await track(handle, 'sent', '/sora', { prompt: 'a calm sea at noon' });
    expect(callback?.type).toBe(5);
    // The status message with the job's id, or (a failure, shown) a private answer instead.
    const privately = () =>
      t.fake.recorder.calls
        .filter(
          (c) =>
            c.method === 'POST' &&
            c.route === '/webhooks/:applicationId/:token' &&
            c.params.token === handle.token,
        )
        .flatMap((c) => renderedTexts(c.json));
    await t.fake.waitFor(
      () => jobIdIn(t.fake.message(handle.record.originalMessageId ?? '')?.content) || privately().length > 0,
    );
    expect(privately()).toEqual([]);
    const jobId = await waitForJobId(t.fake, handle);
    const job = await t.bot.core.jobRecord(jobId);
    expect(job?.request.prompt).toBe('a calm sea at noon');
    expect(jobIdIn(t.fake.message(handle.record.originalMessageId!)?.content)).toBe(jobId);
    expect(unhandled).toEqual([]);
  });

  it('wrote nothing that could ping anyone or hold a masked link from the input', async () => {
    // Let the last answers and status edits land.
    await Promise.all(interactions.map((i) => i.answered));
    expect(
      mentioningWrites(t.fake).map((w) => ({
        kind: w.kind,
        content: w.content?.slice(0, 200),
        allowed: w.allowedMentions,
      })),
    ).toEqual([]);
    expect(maskedLinksSince(0)).toEqual([]);
    // Not vacuous: hostile prompts were echoed (as text), masked links and pings included.
    const echoed = t.fake.recorder.calls.flatMap((call) => renderedTexts(call.json));
    expect(echoed.some((text) => text.includes('evil.example'))).toBe(true);
    expect(echoed.some((text) => text.includes('@everyone'))).toBe(true);
  });

  it('answered every interaction Discord sends for the bot’s own commands, buttons and modals', async () => {
    expect(interactions.length).toBeGreaterThanOrEqual(fuzzRuns(700));
    expect(await unansweredSummary('sent')).toEqual({});
  });

  it('answered every interaction naming a command, button or modal the bot never made', async () => {
    expect(await unansweredSummary('forged')).toEqual({});
  });
});
