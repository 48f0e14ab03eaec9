/**
 * `sora-bot usage [month|day|YYYY-MM] [--workspace platform:id]`: a workspace's spend for a period,
 * the same numbers `/sora usage` shows an admin in chat, computed by the core (BudgetBook.entries,
 * summarize, usageMessage) from the usage log in the store. It reads beside a running bot like
 * `doctor` does: SQLite without the writer lock (and a missing file is not created), or Redis.
 * The chart becomes one text bar per day with spend.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { budgetSettings } from '../budget-settings.js';
import type { Config } from '../config.js';
import { BudgetBook, type UsageEntry } from '../core/budget-book.js';
import { parseUsageCommand } from '../core/budget-command-parser.js';
import { monthPeriod, type Period, periodAt } from '../core/budget-periods.js';
import type { UsageIntent } from '../core/intents.js';
import { formatUsd } from '../core/pricing.js';
import { PLATFORMS } from '../core/requester.js';
import { summarize, type UsageSummary, usageMessage } from '../core/usage-report.js';
import { openStore } from '../store/open-store.js';
import { parseCommandArgs } from './args.js';
import { type CliIO, EXIT, type ExitCode, type Parsed, usageProblem } from './io.js';
import { loadCliConfig } from './load-config.js';

const OPTIONS = { workspace: { type: 'string' } } as const;
const BAR_WIDTH = 20;

/** `slack:T0123`, `discord:GUILD_ID`, `playground:local`: the workspaces the usage log is kept by. */
export const WorkspaceSchema = z
  .string()
  .trim()
  .regex(
    new RegExp(`^(${PLATFORMS.join('|')}):[A-Za-z0-9._-]{1,80}$`),
    `PLATFORM:ID with PLATFORM one of ${PLATFORMS.join(', ')} (e.g. slack:T0123ABCD)`,
  );

interface UsageArgs {
  period: UsageIntent['period'];
  workspace: string | undefined;
}

function parseUsageArgs(args: string[]): Parsed<UsageArgs> {
  const parsed = parseCommandArgs(args, OPTIONS);
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed.value;
  const period = parseUsageCommand(positionals);
  if (!period) return usageProblem('usage takes one period: month (the default), day, or YYYY-MM');
  if (!period.ok) return usageProblem(period.problem.message.replaceAll('`/sora usage', '`sora-bot usage'));
  if (values.workspace === undefined)
    return { ok: true, value: { period: period.intent.period, workspace: undefined } };
  const workspace = WorkspaceSchema.safeParse(values.workspace);
  if (!workspace.success)
    return usageProblem(`--workspace: ${workspace.error.issues[0]?.message ?? 'PLATFORM:ID'}`);
  return { ok: true, value: { period: period.intent.period, workspace: workspace.data } };
}

/** Without --workspace: the playground's, when the playground is what this configuration runs. */
function defaultWorkspace(config: Config): Parsed<string> {
  if (config.SLACK_BOT_TOKEN || config.SLACK_CLIENT_ID || config.DISCORD_TOKEN)
    return usageProblem('name the workspace: --workspace slack:TEAM_ID or --workspace discord:GUILD_ID');
  return { ok: true, value: 'playground:local' };
}

export function periodFor(intent: UsageIntent['period'], now: number, timeZone: string): Period {
  if (intent.kind === 'day') return periodAt('day', now, timeZone);
  if (intent.year !== null && intent.month !== null) return monthPeriod(intent.year, intent.month, timeZone);
  return periodAt('month', now, timeZone);
}

export async function runUsageReportCommand(args: string[], io: CliIO, now = Date.now()): Promise<ExitCode> {
  const parsed = parseUsageArgs(args);
  if (!parsed.ok) return usage(io, parsed.message);
  const loaded = loadCliConfig();
  if (!loaded.ok) return usage(io, loaded.message);
  const config = loaded.value;
  const workspace: Parsed<string> =
    parsed.value.workspace !== undefined
      ? { ok: true, value: parsed.value.workspace }
      : defaultWorkspace(config);
  if (!workspace.ok) return usage(io, workspace.message);
  const ws = workspace.value;
  const settings = budgetSettings(config);
  const period = periodFor(parsed.value.period, now, settings.timeZone);
  const entries = await readEntries(config, ws, period);
  const dayKey = (at: number) => periodAt('day', at, settings.timeZone).key;
  const summary = summarize(entries, '', dayKey);
  const message = await usageMessage({
    summary,
    period,
    timeZone: settings.timeZone,
    isAdmin: true,
    render: undefined,
    onChartError: () => {},
  });
  io.out(`${message.title} ${ws}`);
  for (const line of message.lines) io.out(line);
  for (const line of perDayLines(summary)) io.out(line);
  return EXIT.ok;
}

async function readEntries(config: Config, ws: string, period: Period): Promise<UsageEntry[]> {
  const file = sqliteFile(config);
  // Nothing was ever stored here: nothing was spent (and a read command creates no database).
  if (file !== undefined && !existsSync(file)) return [];
  const store = await openStore({ storeUrl: config.STORE_URL, dataDir: config.DATA_DIR });
  try {
    const book = new BudgetBook(store, budgetSettings(config), config.SORA_PROVIDER);
    return await book.entries(ws, period.startsAt, period.endsAt);
  } finally {
    await store.close();
  }
}

/** The SQLite file openStore would open, or undefined for Redis (src/store/open-store.ts). */
function sqliteFile(config: Pick<Config, 'STORE_URL' | 'DATA_DIR'>): string | undefined {
  const url = config.STORE_URL;
  if (url?.startsWith('redis://') || url?.startsWith('rediss://')) return undefined;
  return url?.startsWith('sqlite://')
    ? url.slice('sqlite://'.length)
    : join(config.DATA_DIR, 'sora-bot.sqlite');
}

/** The chart's terminal form: each day with spend, its amount and a bar scaled to the largest day. */
export function perDayLines(summary: Pick<UsageSummary, 'perDay'>): string[] {
  const days = [...summary.perDay.entries()]
    .filter(([, d]) => d.workspace !== 0)
    .sort(([a], [b]) => a.localeCompare(b));
  if (days.length === 0) return ['Per day: nothing spent'];
  const most = Math.max(...days.map(([, d]) => d.workspace));
  const amounts = days.map(([, d]) => formatUsd(d.workspace));
  const width = Math.max(...amounts.map((a) => a.length));
  return [
    'Per day:',
    ...days.map(([day, d], i) => {
      const bar = most > 0 ? '▓'.repeat(Math.max(1, Math.round((d.workspace / most) * BAR_WIDTH))) : '';
      return `  ${day}  ${amounts[i]!.padStart(width)}  ${bar}`;
    }),
  ];
}

function usage(io: CliIO, message: string): ExitCode {
  io.err(message);
  return EXIT.usage;
}
