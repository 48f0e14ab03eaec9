/**
 * The `custom_id`s of the bot's buttons and modals (1..100 characters). Every click carries all the
 * state it needs (the job id) so buttons keep working after a restart; they are handled in the global
 * interactionCreate listener, never by a collector (docs/platforms.md, Discord).
 */
import type { Message } from 'discord.js';
import { normalizeShortId } from '../../src/core/short-id.js';

export type DiscordComponentId =
  /** Button: open the remix modal for a job. */
  | { kind: 'remix'; jobId: string }
  /** Button: delete a job (ownership is checked on click). */
  | { kind: 'delete'; jobId: string }
  /** Button: an admin approves a job waiting for approval (who pressed is checked by the core). */
  | { kind: 'approve'; jobId: string }
  /** Button: an admin denies a job waiting for approval. */
  | { kind: 'deny'; jobId: string }
  /** Buttons: Cancel a job, Retry a failure, make a delivered video Again (job-controls.ts decides who may). */
  | { kind: 'cancel' | 'retry' | 'again'; jobId: string }
  /** Button: another page of `/sora list`. */
  | { kind: 'list_page'; page: number; all: boolean }
  /** Modal: the new prompt for a remix of `jobId`. */
  | { kind: 'remix_modal'; jobId: string }
  /** Modal: the prompt for animating an image remembered under `key` (the context-menu interaction id). */
  | { kind: 'animate_modal'; key: string };

const PREFIX = 'sora';

export function encodeComponentId(id: DiscordComponentId): string {
  switch (id.kind) {
    case 'remix':
      return `${PREFIX}:remix:${id.jobId}`;
    case 'delete':
      return `${PREFIX}:delete:${id.jobId}`;
    case 'approve':
      return `${PREFIX}:approve:${id.jobId}`;
    case 'deny':
      return `${PREFIX}:deny:${id.jobId}`;
    case 'cancel':
    case 'retry':
    case 'again':
      return `${PREFIX}:${id.kind}:${id.jobId}`;
    case 'list_page':
      return `${PREFIX}:list:${id.page}:${id.all ? 'all' : 'mine'}`;
    case 'remix_modal':
      return `${PREFIX}:remix-modal:${id.jobId}`;
    case 'animate_modal':
      return `${PREFIX}:animate-modal:${id.key}`;
  }
}

/** The component a custom_id names, or undefined for one this bot did not make. */
export function decodeComponentId(customId: string): DiscordComponentId | undefined {
  const [prefix, kind, a, b, ...rest] = customId.split(':');
  if (prefix !== PREFIX || rest.length > 0) return undefined;
  switch (kind) {
    case 'remix':
    case 'delete':
    case 'approve':
    case 'deny':
    case 'cancel':
    case 'retry':
    case 'again':
    case 'remix-modal': {
      const jobId = a === undefined || b !== undefined ? undefined : normalizeShortId(a);
      if (!jobId) return undefined;
      return { kind: kind === 'remix-modal' ? 'remix_modal' : kind, jobId };
    }
    case 'list': {
      const page = Number(a);
      if (!Number.isInteger(page) || page < 1 || (b !== 'all' && b !== 'mine')) return undefined;
      return { kind: 'list_page', page, all: b === 'all' };
    }
    case 'animate-modal':
      return a && /^\d{1,20}$/.test(a) && b === undefined ? { kind: 'animate_modal', key: a } : undefined;
    default:
      return undefined;
  }
}

/** Field ids inside the modals: the prompt text input, the length and model selects. */
export const MODAL_FIELDS = { prompt: 'prompt', seconds: 'seconds', model: 'model' } as const;

/** Every custom_id on a message's buttons (findDelivery recognises a job's video by them). */
export function customIdsOf(message: Message): string[] {
  const ids: string[] = [];
  for (const row of message.components) {
    if (!('components' in row)) continue;
    for (const component of row.components)
      if ('customId' in component && typeof component.customId === 'string') ids.push(component.customId);
  }
  return ids;
}
