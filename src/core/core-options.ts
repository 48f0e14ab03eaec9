/**
 * What the core is given and what it answers: the options of a SoraCore, one command request, and
 * its outcome. Kept apart from the core so the steps that build outcomes need not import it.
 */

import type { Store } from '../store/store.js';
import type { BudgetSettings } from './budget-book.js';
import type { Clock } from './clock.js';
import type { CoreSettings, DEFAULT_CORE_SETTINGS } from './core-context.js';
import type { CoreProviders } from './deployment-router.js';
import type { Attachment, Intent } from './intents.js';
import type { Logger } from './logger.js';
import type { BotMessage, JobView, StatusMessage } from './messages.js';
import type { CoreMetrics } from './metrics.js';
import { PriceTable } from './pricing.js';
import type { RequesterInput } from './requester.js';
import type { ThreadStart } from './surface.js';
import type { UsageChartRenderer } from './usage-report.js';

/** Without configuration: the published prices, no money limits, no approvals, no cap on pending jobs. */
export const DEFAULT_BUDGETS: BudgetSettings = {
  prices: new PriceTable(),
  userDay: null,
  userMonth: null,
  workspaceMonth: null,
  maxPendingPerUser: Number.MAX_SAFE_INTEGER,
  timeZone: 'UTC',
  approvalAbove: null,
};

export interface CommandRequest {
  requester: RequesterInput;
  /** Channel-level scope of the command (what `list --all` lists). */
  channel: string;
  /** Where a new job's status message goes (a channel, or an existing thread for remixes). */
  conversation: string;
  intent: Intent;
  attachment?: Attachment | null;
  /** The platform's id for this delivery of the command (envelope id, interaction id): duplicates make one job. */
  idempotencyKey?: string;
  /** Posts the first status message the adapter's own way (e.g. Discord's deferred reply); default: surface.startJob. */
  announce?: (message: StatusMessage) => Promise<ThreadStart>;
}

export type CommandOutcome =
  | { kind: 'job'; job: JobView; duplicate: boolean }
  /** Something to show the person who asked (privately where the platform can). */
  | { kind: 'reply'; message: BotMessage };

export interface SoraCoreOptions extends CoreProviders {
  store: Store;
  /** Prices, limits and approvals (budget-book.ts); default: published prices, no limits. */
  budgets?: Partial<BudgetSettings>;
  /** Draws `/sora usage` charts; without it the usage answer is text only. */
  renderUsageChart?: UsageChartRenderer;
  settings: Omit<CoreSettings, keyof typeof DEFAULT_CORE_SETTINGS> & Partial<CoreSettings>;
  clock?: Clock;
  logger?: Logger;
  instanceId?: string;
  /** Where steps report timings and counts (src/metrics); default: nowhere. */
  metrics?: CoreMetrics;
}
