/**
 * What the bot says about money: a refusal that names the budget, what is left, when it resets and a
 * cheaper request that would fit; `/sora budget`; an admin's change. Plain text (adapters escape it).
 */
import type { ModelCapabilities, ProviderCapabilities } from '../sora/capabilities.js';
import type { BudgetLine, BudgetName } from './budget-book.js';
import { describeReset } from './budget-periods.js';
import type { JobRequest } from './job.js';
import type { NoticeMessage } from './messages.js';
import { formatUsd, type Micros } from './pricing.js';
import { notice } from './replies.js';

const BUDGET_TITLE: Record<Exclude<BudgetName, 'pending'>, string> = {
  'user-day': 'your daily budget',
  'user-month': 'your monthly budget',
  'workspace-month': "this workspace's monthly budget",
};

/** A cheaper version of the request, as options to type, and its cost. */
export interface CheaperOption {
  options: string;
  micros: Micros;
}

export function refusalMessage(
  budget: BudgetLine,
  cost: Micros,
  now: number,
  cheaper: CheaperOption | null,
): NoticeMessage {
  if (budget.name === 'pending')
    return notice(
      `Not sent: you already have ${budget.used} videos in progress (at most ${budget.limit} at once). Wait for one to finish, or delete one with \`/sora delete ID\`.`,
      'warning',
    );
  const left = Math.max(0, (budget.limit ?? 0) - budget.used);
  const reset = budget.resetsAt ? ` (it resets ${describeReset(budget.resetsAt, now)})` : '';
  const tip = cheaper ? ` Try \`${cheaper.options}\` (about ${formatUsd(cheaper.micros)}).` : '';
  return notice(
    `Not sent: this video would cost about ${formatUsd(cost)} and ${BUDGET_TITLE[budget.name]} has ${formatUsd(left)} left of ${formatUsd(budget.limit ?? 0)}${reset}.${tip}`,
    'warning',
  );
}

/**
 * The most expensive variant that still fits in `left`: fewer seconds first, then a smaller size of
 * the same shape, then sora-2 instead of sora-2-pro. Null when nothing fits (or for a remix, whose
 * length and size are the source's).
 */
export function cheaperOption(
  request: Pick<JobRequest, 'kind' | 'model' | 'size' | 'seconds'>,
  left: Micros,
  capabilities: ProviderCapabilities,
  estimate: (r: { model: string; size: string; seconds: string }) => Micros,
): CheaperOption | null {
  if (request.kind !== 'generate') return null;
  const models = Object.values(capabilities.models).filter((m): m is ModelCapabilities => m !== undefined);
  const current = models.find((m) => m.model === request.model) ?? models[0];
  if (!current) return null;
  const portrait = isPortrait(request.size);
  const candidates: { options: string[]; model: string; size: string; seconds: string }[] = [];
  for (const model of [current, ...models.filter((m) => m !== current && m.model === 'sora-2')]) {
    const sizes = model.sizes.filter((s) => isPortrait(s) === portrait);
    for (const size of sizes)
      for (const seconds of model.seconds) {
        if (Number(seconds) > Number(request.seconds)) continue;
        const options: string[] = [];
        if (model.model !== request.model) options.push(`--model ${model.model}`);
        if (size !== request.size) options.push(`--size ${size}`);
        if (seconds !== request.seconds) options.push(`--seconds ${seconds}`);
        if (options.length > 0) candidates.push({ options, model: model.model, size, seconds });
      }
  }
  let best: { options: string; micros: Micros; seconds: number; changes: number } | null = null;
  for (const c of candidates) {
    const micros = estimate(c);
    if (micros > left) continue;
    // The most the budget allows; among equal prices the longest video, then the fewest changes.
    const seconds = Number(c.seconds);
    const better =
      !best ||
      micros > best.micros ||
      (micros === best.micros &&
        (seconds > best.seconds || (seconds === best.seconds && c.options.length < best.changes)));
    if (better) best = { options: c.options.join(' '), micros, seconds, changes: c.options.length };
  }
  return best ? { options: best.options, micros: best.micros } : null;
}

function isPortrait(size: string): boolean {
  const [w, h] = size.split('x').map(Number);
  return (h ?? 0) >= (w ?? 0);
}

const LINE_TITLE: Record<BudgetName, string> = {
  'user-day': 'You today',
  'user-month': 'You this month',
  'workspace-month': 'Workspace this month',
  pending: 'Your videos in progress',
};

export function budgetSummary(lines: readonly BudgetLine[], now: number, timeZone: string): NoticeMessage {
  const text = lines.map((line) => {
    if (line.name === 'pending') return `${LINE_TITLE.pending}: ${line.used} (at most ${line.limit} at once)`;
    if (line.limit === null) return `${LINE_TITLE[line.name]}: ${formatUsd(line.used)} spent · no limit`;
    const left = Math.max(0, line.limit - line.used);
    const reset = line.resetsAt ? ` · resets ${describeReset(line.resetsAt, now)}` : '';
    return `${LINE_TITLE[line.name]}: ${formatUsd(line.used)} of ${formatUsd(line.limit)} · ${formatUsd(left)} left${reset}`;
  });
  return notice(
    [`Budgets (periods in ${timeZone}; spent includes videos in progress):`, ...text].join('\n'),
    'info',
  );
}

export function limitChanged(
  who: string,
  period: 'day' | 'month',
  limit: Micros | null,
  used: Micros,
  both: boolean,
): NoticeMessage {
  if (limit === null)
    return notice(
      `Done: ${who} ${both ? 'has no daily or monthly limit' : `has no ${period}ly limit`} now.`,
      'success',
    );
  const over =
    used > limit
      ? ` That is below what is already spent or reserved (${formatUsd(used)}): new videos wait until it resets; videos under way finish.`
      : '';
  return notice(
    `Done: ${who} may spend ${formatUsd(limit)} a ${period} (spent so far this ${period}: ${formatUsd(used)}).${over}`,
    'success',
  );
}
