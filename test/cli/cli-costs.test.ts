/**
 * Money in the terminal, through the real CLI as a child process: `video create` prints its estimate
 * (from SORA_PRICES over the published prices) before it sends anything, and `sora-bot usage` prints a
 * workspace's spend for a period from the usage log in the store, read beside a bot that holds the
 * SQLite file (its writer lock).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetSettings } from '../../src/budget-settings.js';
import { parseConfig } from '../../src/config.js';
import { BudgetBook } from '../../src/core/budget-book.js';
import type { Job } from '../../src/core/job.js';
import type { Requester } from '../../src/core/requester.js';
import { VideoSchema } from '../../src/sora/video.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { lines, runCli } from './run-cli.js';

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'sora-cli-costs-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('sora-bot video create: the estimate', () => {
  it('prints the cost on stderr before the create, keeping --json output one document', async () => {
    const run = await runCli(['video', 'create', '--prompt', 'a red fox', '--seconds', '8', '--json'], {
      cwd,
    });
    expect(run.code).toBe(0);
    expect(lines(run.stderr)).toEqual(['about $0.80 · 8 s · 720x1280 · sora-2']);
    expect(VideoSchema.parse(JSON.parse(run.stdout))).toMatchObject({ seconds: '8', model: 'sora-2' });
  });

  it('prints it before the progress of --wait, with SORA_PRICES and pro sizes', async () => {
    const run = await runCli(
      [
        'video',
        'create',
        '--prompt',
        'a castle',
        '--model',
        'sora-2-pro',
        '--size',
        '1792x1024',
        '--seconds',
        '4',
        '--wait',
      ],
      { cwd, env: { SORA_PRICES: 'sora-2-pro@1792x1024=0.55' } },
    );
    expect(run.code).toBe(0);
    const err = lines(run.stderr);
    expect(err[0]).toBe('about $2.20 · 4 s · 1792x1024 · sora-2-pro');
    expect(err.slice(1).some((line) => / completed 100%$/.test(line))).toBe(true);
  });

  it('prints nothing when the options are refused (nothing would be spent)', async () => {
    const run = await runCli(['video', 'create', '--prompt', 'a fox', '--seconds', '5'], { cwd });
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).not.toContain('about $');
  });
});

const NOV_3 = Date.UTC(2025, 10, 3, 10, 0);
const NOV_20 = Date.UTC(2025, 10, 20, 9, 0);
const NOV_21 = Date.UTC(2025, 10, 21, 9, 0);
/** 2025-10-31 in UTC, but already 2025-11-01 in Paris (UTC+1). */
const OCT_31_LATE = Date.UTC(2025, 9, 31, 23, 30);

function requester(
  platform: Requester['platform'],
  workspace: string,
  user: string,
  name?: string,
): Requester {
  return { platform, workspace, user, isAdmin: false, ...(name ? { displayName: name } : {}) };
}

describe('sora-bot usage', () => {
  let dataDir: string;
  let bot: SqliteStore;
  const env = () => ({ DATA_DIR: dataDir });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sora-cli-usage-report-'));
    // The bot's own connection, with the writer lock, stays open while the CLI reads.
    bot = await SqliteStore.open(join(dataDir, 'sora-bot.sqlite'), { exclusive: true });
    const book = new BudgetBook(bot, budgetSettings(parseConfig({ DATA_DIR: dataDir })), 'emulator');
    const ann = requester('playground', 'local', 'ann', 'Ann');
    const bob = requester('playground', 'local', 'bob');
    const video = async (
      id: string,
      who: Requester,
      model: string,
      seconds: string,
      at: number,
      end: 'charged' | 'refunded' | 'open',
    ) => {
      const cost = book.estimate({ model, size: '720x1280', seconds });
      const reserved = await book.reserve(id, who, { model }, cost, at);
      if (!reserved.ok) throw new Error(`reservation of ${id} refused`);
      if (end === 'open') return;
      const job = {
        id,
        requester: who,
        request: { model },
        state: end === 'charged' ? 'delivered' : 'failed',
        completedAt: end === 'charged' ? at + 60_000 : null,
        providerVideoId: end === 'charged' ? `video_${id}` : null,
        cost: reserved.reservation,
      } as unknown as Job;
      expect(await book.settle(job, at + 60_000)).toBe(end);
    };
    await video('ann001', ann, 'sora-2', '8', NOV_3, 'charged');
    await video('ann002', ann, 'sora-2', '4', NOV_3 + 1_000, 'refunded');
    await video('bob001', bob, 'sora-2-pro', '12', NOV_20, 'charged');
    await video('ann003', ann, 'sora-2', '4', NOV_21, 'open');
    await video('ann004', ann, 'sora-2', '4', OCT_31_LATE, 'charged');
    await video('slk001', requester('slack', 'T0123', 'U1', 'Sam'), 'sora-2', '12', NOV_20, 'charged');
    await video('now001', bob, 'sora-2', '4', Date.now(), 'charged');
  });

  afterAll(async () => {
    await bot?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("prints a month's spend for the playground's workspace: totals, people, models, days", async () => {
    const run = await runCli(['usage', '2025-11'], { cwd, env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual([
      'Sora spend, 2025-11 (UTC), the workspace playground:local',
      'Total: $4.80 · 2 videos delivered or rendered',
      'Held for videos in progress: $0.40',
      'Refunds: $0.40 (1 videos failed, refused or cancelled)',
      'Per person: bob $3.60 (1) · Ann $1.20 (1)',
      'Per model: sora-2-pro $3.60 · sora-2 $1.20',
      'Per day:',
      `  2025-11-03  $0.80  ${'▓'.repeat(4)}`,
      `  2025-11-20  $3.60  ${'▓'.repeat(20)}`,
      `  2025-11-21  $0.40  ${'▓'.repeat(2)}`,
    ]);
  });

  it('counts days and months in SORA_BUDGET_TZ', async () => {
    const run = await runCli(['usage', '2025-11'], {
      cwd,
      env: { ...env(), SORA_BUDGET_TZ: 'Europe/Paris' },
    });
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out[0]).toBe('Sora spend, 2025-11 (Europe/Paris), the workspace playground:local');
    expect(out[1]).toBe('Total: $5.20 · 3 videos delivered or rendered');
    expect(out).toContain(`  2025-11-01  $0.40  ${'▓'.repeat(2)}`);
  });

  it('prints another workspace with --workspace, and this month and today by default', async () => {
    const slack = await runCli(['usage', '2025-11', '--workspace', 'slack:T0123'], { cwd, env: env() });
    expect(slack.code).toBe(0);
    expect(lines(slack.stdout).slice(0, 2)).toEqual([
      'Sora spend, 2025-11 (UTC), the workspace slack:T0123',
      'Total: $1.20 · 1 videos delivered or rendered',
    ]);
    expect(slack.stdout).toContain('Per person: Sam $1.20 (1)');

    const periods = [['usage'], ['usage', 'month'], ['usage', 'day']];
    const runs = await Promise.all(periods.map((args) => runCli(args, { cwd, env: env() })));
    periods.forEach((args, i) => {
      expect(runs[i]?.code, args.join(' ')).toBe(0);
      expect(lines(runs[i]?.stdout ?? '')[1], args.join(' ')).toBe(
        'Total: $0.40 · 1 videos delivered or rendered',
      );
    });
  });

  it('reads nothing into existence: no store file means nothing spent, and none is created', async () => {
    const empty = join(cwd, 'no-bot-here');
    const run = await runCli(['usage', '2025-11'], { cwd, env: { DATA_DIR: empty } });
    expect(run.code).toBe(0);
    expect(lines(run.stdout).slice(1)).toEqual([
      'Total: $0.00 · 0 videos delivered or rendered',
      'Refunds: $0.00 (0 videos failed, refused or cancelled)',
      'Per day: nothing spent',
    ]);
    expect(existsSync(empty)).toBe(false);
  });

  const refusals: [string, string[], Record<string, string>, RegExp][] = [
    ['a month that does not exist', ['usage', '2025-13'], {}, /YYYY-MM, like `sora-bot usage 2026-11`/],
    ['a period it does not know', ['usage', 'week'], {}, /month \(the default\), day, or YYYY-MM/],
    ['two periods', ['usage', 'day', 'month'], {}, /one period/],
    ['a malformed workspace', ['usage', '--workspace', 'T0123'], {}, /^--workspace: PLATFORM:ID/],
    ['an unknown platform', ['usage', '--workspace', 'teams:T1'], {}, /^--workspace: PLATFORM:ID/],
    [
      'no workspace when the bot runs on Slack',
      ['usage'],
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SORA_PROVIDER: 'emulator' },
      /--workspace slack:TEAM_ID/,
    ],
  ];

  it('refuses bad periods and workspaces with exit 2 and one line each', async () => {
    const runs = await Promise.all(
      refusals.map(([, args, extra]) => runCli(args, { cwd, env: { ...env(), ...extra } })),
    );
    refusals.forEach(([what, , , message], i) => {
      const run = runs[i]!;
      expect(run.code, what).toBe(2);
      expect(run.stdout, what).toBe('');
      expect(lines(run.stderr), what).toHaveLength(1);
      expect(run.stderr, what).toMatch(message);
    });
  });
});
