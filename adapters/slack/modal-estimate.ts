/**
 * The cost line of the "Make a video" modal: "about $0.80 · 8 s · 720x1280 · sora-2", shown before
 * anything is spent, as a context block that modal-actions.ts refreshes (views.update) whenever the
 * length, shape or model changes. The price comes from the core (SoraCore.estimateCost), the same
 * estimate that is reserved against the budgets when the form is submitted.
 */
import { formatUsd } from '../../src/core/pricing.js';
import { modelFamily, type ProviderCapabilities } from '../../src/sora/capabilities.js';
import type { Block } from './blocks.js';
import { escapeSlackText } from './mrkdwn.js';

/** The estimate's block id (views.update replaces the whole view; the id keeps tests and Slack stable). */
export const ESTIMATE_BLOCK_ID = 'estimate';

export interface ModalChoice {
  seconds: string;
  size: string;
  model: string;
}

/** Micro-dollars for a choice (SoraCore.estimateCost). */
export type Estimator = (choice: ModalChoice) => number;

/** The line itself; a shape the model can't render says so instead of pricing it. */
export function estimateText(
  capabilities: ProviderCapabilities,
  choice: ModalChoice,
  estimate: Estimator,
): string {
  const family = modelFamily(choice.model);
  const caps = family ? capabilities.models[family] : undefined;
  if (!caps) return `⚠️ ${choice.model} isn't available here.`;
  if (!caps.sizes.includes(choice.size))
    return `⚠️ ${caps.model} renders ${caps.sizes.join(' or ')}: pick one of those.`;
  if (!caps.seconds.includes(choice.seconds))
    return `⚠️ ${caps.model} makes ${caps.seconds.join(', ')} second videos: pick one of those.`;
  return `💵 about ${formatUsd(estimate(choice))} · ${choice.seconds} s · ${choice.size} · ${choice.model}`;
}

export function estimateBlock(
  capabilities: ProviderCapabilities,
  choice: ModalChoice,
  estimate: Estimator,
): Block {
  return {
    type: 'context',
    block_id: ESTIMATE_BLOCK_ID,
    elements: [{ type: 'mrkdwn', text: escapeSlackText(estimateText(capabilities, choice, estimate)) }],
  };
}
