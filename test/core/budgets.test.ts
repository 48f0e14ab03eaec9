/**
 * Team budgets through the real core, on both stores: the cost shown before anything is spent, the
 * refusal that names the budget and a cheaper option, refunds on failure / moderation / delete, the
 * charge of a delivered video, the pending cap, admin changes that persist, approvals (only admins,
 * denial refunds, a card nobody answers expires after a day), usage, and a reservation whose job was
 * never created.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetBook } from '../../src/core/budget-book.js';
import type { Clock } from '../../src/core/clock.js';
import { systemClock } from '../../src/core/clock.js';
import type { BotMessage, UsageMessage } from '../../src/core/messages.js';
import { dollars, PriceTable } from '../../src/core/pricing.js';
import { renderPlainText as renderStatusText } from '../../src/core/render-text.js';
import { CoreHarness, type HarnessOptions, type StoreKind, storeKinds } from '../support/core-harness.js';

const harnesses: CoreHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function start(store: StoreKind, options: HarnessOptions = {}): Promise<CoreHarness> {
  const h = await CoreHarness.start({ store, ...options });
  harnesses.push(h);
  return h;
}

function text(message: BotMessage): string {
  if (message.kind === 'notice') return message.text;
  throw new Error(`expected a notice, got ${message.kind}`);
}

async function budgetText(h: CoreHarness, user = 'alice'): Promise<string> {
  const outcome = await h.send('/sora budget', { user });
  if (outcome.kind !== 'reply') throw new Error('expected a reply');
  return text(outcome.message);
}

/** A clock on real time that a test can move forward (the loops keep running on real timers). */
function shiftedClock(): Clock & { shift(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, sleep: systemClock.sleep, shift: (ms) => (offset += ms) };
}

describe.each(storeKinds())('budgets on %s', (store) => {
  it('shows the estimate at once, refuses what would overdraw with a cheaper option, charges a delivered video', async () => {
    const h = await start(store, { budgets: { userDay: dollars(1.2) } });
    const first = await h.send('/sora a paper boat --seconds 8');
    expect(first.kind).toBe('job');
    if (first.kind !== 'job') return;
    expect(first.job.costMicros).toBe(dollars(0.8));
    const status = await h.until(() => h.surface.statusOf(first.job.id));
    expect(renderStatusText(status)).toContain('about $0.80');

    const second = await h.send('/sora a second boat --seconds 8');
    expect(second.kind).toBe('reply');
    if (second.kind !== 'reply') return;
    const refusal = text(second.message);
    expect(refusal).toContain('about $0.80');
    expect(refusal).toContain('your daily budget has $0.40 left of $1.20');
    expect(refusal).toMatch(/resets in \d+ (h|min)/);
    expect(refusal).toContain('Try `--seconds 4` (about $0.40)');

    await h.waitFor(first.job.id, ['delivered']);
    await h.until(async () => (await h.core.costOf(first.job.id))?.outcome);
    expect((await h.core.costOf(first.job.id))?.outcome).toBe('charged');
    // Charged stays charged, also after a delete.
    await h.send(`/sora delete ${first.job.id}`);
    const summary = await budgetText(h);
    expect(summary).toContain('You today: $0.80 of $1.20');
    expect(summary).toContain('Your videos in progress: 0');
  });

  it('refunds in full a provider failure, a moderation refusal and a delete before the provider had it', async () => {
    const h = await start(store, { budgets: { userMonth: dollars(5) }, settings: { maxConcurrent: 1 } });
    const failed = await h.sendJob('/sora [emulator:fail] a lighthouse --seconds 12');
    const refused = await h.sendJob('/sora mickey mouse dancing --seconds 8');
    const queued = await h.sendJob('/sora a quiet lake --seconds 12');
    await h.send(`/sora delete ${queued}`);
    for (const id of [failed, refused, queued]) {
      await h.waitFor(id, ['failed', 'deleted']);
      await h.until(async () => (await h.core.costOf(id))?.outcome);
      expect((await h.core.costOf(id))?.outcome).toBe('refunded');
    }
    expect((await h.core.jobRecord(refused))?.failure?.code).toBe('moderation_blocked');
    const summary = await budgetText(h);
    expect(summary).toContain('You this month: $0.00 of $5.00');
    expect(summary).toContain('Your videos in progress: 0');
  });

  it('caps unfinished videos per person, then frees the place when one finishes', async () => {
    const h = await start(store, { budgets: { maxPendingPerUser: 2 }, settings: { maxConcurrent: 1 } });
    const a = await h.sendJob('/sora one');
    await h.sendJob('/sora two');
    const third = await h.send('/sora three');
    expect(third.kind === 'reply' && text(third.message)).toContain('you already have 2 videos in progress');
    // Someone else is not affected.
    expect((await h.send('/sora four', { user: 'bob' })).kind).toBe('job');
    await h.waitFor(a, ['delivered']);
    await h.until(async () => (await h.core.costOf(a))?.outcome);
    expect((await h.send('/sora three again')).kind).toBe('job');
  });

  it('lets admins change limits from chat (persisted), and no one else', async () => {
    const h = await start(store);
    const denied = await h.send('/sora budget workspace 1/month', { user: 'bob' });
    expect(denied.kind === 'reply' && text(denied.message)).toContain('Only admins can change budgets');
    const set = await h.send('/sora budget workspace 1/month', { user: 'admin-user' });
    expect(set.kind === 'reply' && text(set.message)).toContain('the workspace may spend $1.00 a month');
    const person = await h.send('/sora budget @bob 0.40/day', { user: 'admin-user' });
    expect(person.kind === 'reply' && text(person.message)).toContain('@bob may spend $0.40 a day');
    const malformed = await h.send('/sora budget workspace lots', { user: 'admin-user' });
    expect(malformed.kind === 'reply' && text(malformed.message)).toContain(
      '/sora budget workspace 300/month',
    );

    const bobs = await h.send('/sora a kite --seconds 8', { user: 'bob' });
    expect(bobs.kind === 'reply' && text(bobs.message)).toContain(
      'your daily budget has $0.40 left of $0.40',
    );
    expect((await h.send('/sora a kite --seconds 4', { user: 'bob' })).kind).toBe('job');
    // The workspace limit (a new BudgetBook on the same store reads the same setting).
    const book = new BudgetBook(h.store, { ...defaults(), workspaceMonth: null }, 'emulator');
    const lines = await book.lines({ platform: 'playground', workspace: 'local', user: 'carol' }, Date.now());
    expect(lines.find((l) => l.name === 'workspace-month')).toMatchObject({
      limit: dollars(1),
      source: 'chat',
    });
    const carol = await h.send('/sora a big one --seconds 12', { user: 'carol' });
    expect(carol.kind === 'reply' && text(carol.message)).toContain(
      "this workspace's monthly budget has $0.60 left",
    );
    // `off` lifts the person's limits again.
    await h.send('/sora budget @bob off', { user: 'admin-user' });
    expect(await budgetText(h, 'bob')).toContain('You today: $0.40 spent · no limit');
  });

  it('holds a job above the approval threshold for an admin; denial refunds; a day without answer expires it', {
    timeout: 120_000,
  }, async () => {
    const clock = shiftedClock();
    const h = await start(store, { budgets: { approvalAbove: dollars(0.5) }, clock });
    const small = await h.sendJob('/sora cheap --seconds 4');
    const big = await h.sendJob('/sora pricey --seconds 8');
    const card = await h.until(() => {
      const s = h.surface.statusOf(big);
      return s?.phase === 'approval' ? s : undefined;
    });
    expect(card.actions?.map((a) => a.kind)).toEqual(['approve', 'deny', 'cancel']);
    expect(renderStatusText(card)).toContain('Waiting for an admin to approve (about $0.80)');
    await h.waitFor(small, ['delivered']);
    expect((await h.core.jobRecord(big))?.state).toBe('waiting');

    const byBob = await h.core.run(approval(big, 'bob', true));
    expect(byBob.kind === 'reply' && text(byBob.message)).toContain('Only admins can approve');
    const ok = await h.core.run(approval(big, 'admin-user', true));
    expect(ok.kind === 'reply' && text(ok.message)).toContain('Approved');
    await h.waitFor(big, ['delivered']);
    const again = await h.core.run(approval(big, 'admin-user', false));
    expect(again.kind === 'reply' && text(again.message)).toContain('already approved');

    const denied = await h.sendJob('/sora also pricey --seconds 8');
    await h.core.run(approval(denied, 'admin-user', false));
    const deniedJob = await h.waitFor(denied, ['failed']);
    expect(deniedJob.failure?.code).toBe('approval_denied');
    await h.until(async () => (await h.core.costOf(denied))?.outcome === 'refunded');

    const forgotten = await h.sendJob('/sora forgotten --seconds 12');
    clock.shift(24 * 60 * 60 * 1000 + 1000);
    h.core.wake();
    const expired = await h.waitFor(forgotten, ['failed']);
    expect(expired.failure?.code).toBe('approval_expired');
    await h.until(async () => (await h.core.costOf(forgotten))?.outcome === 'refunded');
    await h.until(() =>
      h.surface.messages.some((p) => p.message.kind === 'failure' && p.message.code === 'approval_expired'),
    );
  });

  it('answers /sora usage from the entries: totals, people, models, refunds and a PNG chart', async () => {
    const h = await start(store);
    const a = await h.sendJob('/sora one --seconds 8', { user: 'alice' });
    const b = await h.sendJob('/sora two --seconds 4', { user: 'bob' });
    const c = await h.sendJob('/sora [emulator:fail] three --seconds 12', { user: 'bob' });
    for (const id of [a, b, c]) {
      await h.waitFor(id, ['delivered', 'failed']);
      await h.until(async () => (await h.core.costOf(id))?.outcome);
    }
    const admin = await h.send('/sora usage', { user: 'admin-user' });
    const report = admin.kind === 'reply' ? (admin.message as UsageMessage) : undefined;
    expect(report?.kind).toBe('usage');
    expect(report?.lines[0]).toBe('Total: $1.20 · 2 videos delivered or rendered');
    expect(report?.lines.join('\n')).toContain('Refunds: $1.20 (1 videos');
    expect(report?.lines.join('\n')).toContain('Per person: alice $0.80 (1) · bob $0.40 (1)');
    expect(Buffer.from(report?.chart?.png.subarray(0, 8) ?? []).toString('hex')).toBe('89504e470d0a1a0a');
    const mine = await h.send('/sora usage', { user: 'bob' });
    const own = mine.kind === 'reply' ? (mine.message as UsageMessage) : undefined;
    expect(own?.lines[0]).toBe('You: $0.40 · 1 videos · workspace total: $1.20');
    expect(own?.lines.join('\n')).not.toContain('Per person');
    // Other workspaces see nothing of it.
    const elsewhere = await h.send('/sora usage', { user: 'admin-user', workspace: 'other' });
    expect(elsewhere.kind === 'reply' && (elsewhere.message as UsageMessage).lines[0]).toBe(
      'Total: $0.00 · 0 videos delivered or rendered',
    );
  });
});

describe.each(storeKinds())('budget book on %s', (store) => {
  it('settles what a crash left open: a finished job at once, a never-created one after ten minutes, once', async () => {
    const h = await start(store);
    const book = new BudgetBook(h.store, { ...defaults(), userDay: dollars(1) }, 'emulator');
    const requester = { platform: 'playground' as const, workspace: 'w', user: 'u', isAdmin: false };
    const now = Date.now();
    const r = await book.reserve('ghost1', requester, { model: 'sora-2' }, dollars(0.8), now);
    expect(r.ok).toBe(true);
    const refused = await book.reserve('ghost2', requester, { model: 'sora-2' }, dollars(0.8), now);
    expect(refused.ok).toBe(false);
    expect(await book.reconcile(now + 60_000, async () => undefined)).toBe(0); // too young: may still be created
    expect(await book.reconcile(now + 11 * 60_000, async () => undefined)).toBe(1);
    expect(await book.reconcile(now + 12 * 60_000, async () => undefined)).toBe(0);
    const lines = await book.lines(requester, now);
    expect(lines.find((l) => l.name === 'user-day')?.used).toBe(0);
    expect(lines.find((l) => l.name === 'pending')?.used).toBe(0);
  });
});

function defaults() {
  return {
    prices: new PriceTable(),
    userDay: null,
    userMonth: null,
    workspaceMonth: null,
    maxPendingPerUser: 100,
    timeZone: 'UTC',
    approvalAbove: null,
  };
}

function approval(jobId: string, user: string, approve: boolean) {
  return {
    requester: { platform: 'playground' as const, workspace: 'local', user },
    channel: 'playground:room-1',
    conversation: 'playground:room-1',
    intent: { kind: 'approval' as const, jobId, approve },
  };
}
