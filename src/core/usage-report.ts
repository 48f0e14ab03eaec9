/**
 * `/sora usage`: a period's spend computed from the usage log's entries (never from counters, so it
 * is the same after any restart), per day as a chart and per person and model as numbers. Admins see
 * the whole workspace; anyone else sees their own share and the workspace total.
 */
import type { UsageEntry } from './budget-book.js';
import { daysOf, type Period } from './budget-periods.js';
import type { UsageMessage } from './messages.js';
import { formatUsd, MICROS_PER_DOLLAR, type Micros } from './pricing.js';

export interface UsageChartInput {
  title: string;
  days: { label: string; dollars: number }[];
}

/** Draws the chart (src/media/usage-chart.ts in the app); injected so the core stays free of it. */
export type UsageChartRenderer = (input: UsageChartInput) => Promise<Uint8Array>;

interface Totals {
  /** Reserved minus refunded: charged plus what videos in progress hold. */
  net: Micros;
  charged: Micros;
  refunded: Micros;
  refunds: number;
  videos: number;
  held: Micros;
}

export interface UsageSummary {
  workspace: Totals;
  mine: Totals;
  perDay: Map<string, { workspace: Micros; mine: Micros }>;
  perPerson: { user: string; name: string | null; net: Micros; videos: number }[];
  perModel: { model: string; net: Micros }[];
}

function emptyTotals(): Totals {
  return { net: 0, charged: 0, refunded: 0, refunds: 0, videos: 0, held: 0 };
}

export function summarize(
  entries: readonly UsageEntry[],
  me: string,
  dayKeyOf: (at: number) => string,
): UsageSummary {
  const workspace = emptyTotals();
  const mine = emptyTotals();
  const perDay = new Map<string, { workspace: Micros; mine: Micros }>();
  const people = new Map<string, { user: string; name: string | null; net: Micros; videos: number }>();
  const models = new Map<string, Micros>();
  const settled = new Set<string>();
  for (const e of entries) if (e.kind !== 'reserve') settled.add(e.jobId);
  for (const e of entries) {
    const sign = e.kind === 'reserve' ? 1 : e.kind === 'refund' ? -1 : 0;
    const apply = (t: Totals) => {
      t.net += sign * e.micros;
      if (e.kind === 'charge') {
        t.charged += e.micros;
        t.videos++;
      } else if (e.kind === 'refund') {
        t.refunded += e.micros;
        t.refunds++;
      } else if (!settled.has(e.jobId)) t.held += e.micros;
    };
    apply(workspace);
    if (e.user === me) apply(mine);
    const day = dayKeyOf(e.reservedAt);
    const d = perDay.get(day) ?? { workspace: 0, mine: 0 };
    d.workspace += sign * e.micros;
    if (e.user === me) d.mine += sign * e.micros;
    perDay.set(day, d);
    const person = people.get(e.user) ?? { user: e.user, name: e.userName, net: 0, videos: 0 };
    person.net += sign * e.micros;
    if (e.kind === 'charge') person.videos++;
    if (e.userName) person.name = e.userName;
    people.set(e.user, person);
    models.set(e.model, (models.get(e.model) ?? 0) + sign * e.micros);
  }
  return {
    workspace,
    mine,
    perDay,
    perPerson: [...people.values()].sort((a, b) => b.net - a.net),
    perModel: [...models.entries()].map(([model, net]) => ({ model, net })).sort((a, b) => b.net - a.net),
  };
}

export async function usageMessage(options: {
  summary: UsageSummary;
  period: Period;
  timeZone: string;
  isAdmin: boolean;
  render: UsageChartRenderer | undefined;
  onChartError: (error: unknown) => void;
}): Promise<UsageMessage> {
  const { summary, period, isAdmin } = options;
  const label = period.kind === 'day' ? period.key : period.key;
  const scope = isAdmin ? 'the workspace' : 'you';
  const ws = summary.workspace;
  const me = summary.mine;
  const lines: string[] = [];
  if (isAdmin) {
    lines.push(`Total: ${formatUsd(ws.net)} · ${ws.videos} videos delivered or rendered`);
  } else {
    lines.push(`You: ${formatUsd(me.net)} · ${me.videos} videos · workspace total: ${formatUsd(ws.net)}`);
  }
  const own = isAdmin ? ws : me;
  if (own.held > 0) lines.push(`Held for videos in progress: ${formatUsd(own.held)}`);
  lines.push(`Refunds: ${formatUsd(own.refunded)} (${own.refunds} videos failed, refused or cancelled)`);
  if (isAdmin && summary.perPerson.length > 0)
    lines.push(
      `Per person: ${summary.perPerson
        .slice(0, 10)
        .map((p) => `${p.name ?? p.user} ${formatUsd(p.net)} (${p.videos})`)
        .join(' · ')}`,
    );
  if (isAdmin && summary.perModel.length > 0)
    lines.push(`Per model: ${summary.perModel.map((m) => `${m.model} ${formatUsd(m.net)}`).join(' · ')}`);
  const title = `Sora spend, ${label} (${options.timeZone}), ${scope}`;
  let chart: UsageMessage['chart'] = null;
  if (options.render) {
    const days = daysOf(period, options.timeZone).map((day) => {
      const value = summary.perDay.get(day.key);
      return {
        label: period.kind === 'day' ? day.key : String(Number(day.key.slice(8))),
        dollars: (isAdmin ? (value?.workspace ?? 0) : (value?.mine ?? 0)) / MICROS_PER_DOLLAR,
      };
    });
    try {
      const png = await options.render({ title: `Spend per day · ${label} · ${scope}`, days });
      chart = { png, filename: `sora-usage-${label}.png`, alt: `Spend per day, ${label}: ${lines[0]}` };
    } catch (error) {
      options.onChartError(error);
    }
  }
  return { kind: 'usage', title, lines, chart };
}
