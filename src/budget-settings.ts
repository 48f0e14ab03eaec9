/**
 * Prices, budgets and approvals from the configuration, for the bot (src/app.ts) and the CLI alike:
 * SORA_PRICES over the published prices, SORA_BUDGET_* limits in micro-dollars, periods in
 * SORA_BUDGET_TZ, SORA_MAX_PENDING_PER_USER and SORA_APPROVAL_ABOVE.
 */
import type { Config } from './config.js';
import type { BudgetSettings } from './core/budget-book.js';
import { dollars, formatUsd, PriceTable } from './core/pricing.js';

export type BudgetConfig = Pick<
  Config,
  | 'SORA_PRICES'
  | 'SORA_BUDGET_USER_DAY'
  | 'SORA_BUDGET_USER_MONTH'
  | 'SORA_BUDGET_WORKSPACE_MONTH'
  | 'SORA_MAX_PENDING_PER_USER'
  | 'SORA_BUDGET_TZ'
  | 'SORA_APPROVAL_ABOVE'
>;

export function budgetSettings(config: BudgetConfig): BudgetSettings {
  const micros = (amount: number | undefined) => (amount === undefined ? null : dollars(amount));
  return {
    prices: new PriceTable(config.SORA_PRICES ?? []),
    userDay: micros(config.SORA_BUDGET_USER_DAY),
    userMonth: micros(config.SORA_BUDGET_USER_MONTH),
    workspaceMonth: micros(config.SORA_BUDGET_WORKSPACE_MONTH),
    maxPendingPerUser: config.SORA_MAX_PENDING_PER_USER,
    timeZone: config.SORA_BUDGET_TZ,
    approvalAbove: micros(config.SORA_APPROVAL_ABOVE),
  };
}

/** `about $0.80 · 8 s · 720x1280 · sora-2`: what a render with these options costs on this provider. */
export function estimateLine(
  config: Pick<Config, 'SORA_PRICES' | 'SORA_PROVIDER'>,
  request: { model: string; size: string; seconds: string },
): string {
  const micros = new PriceTable(config.SORA_PRICES ?? []).estimate({
    provider: config.SORA_PROVIDER,
    ...request,
  });
  return `about ${formatUsd(micros)} · ${request.seconds} s · ${request.size} · ${request.model}`;
}
