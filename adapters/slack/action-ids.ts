/**
 * Button and view ids. Clicks are handled by the app's global listeners (never by a collector tied to
 * one process), with the job id or page in the button's `value`, so buttons keep working after a
 * restart. Modal callback ids and the message shortcut's callback id are listed in manifest.yml.
 */
import { z } from 'zod';
import type { Action } from '../../src/core/messages.js';
import { SHORT_ID_PATTERN } from '../../src/core/short-id.js';

export const ACTION_IDS = {
  remix: 'sora_remix',
  delete: 'sora_delete',
  listPage: 'sora_list_page',
  approve: 'sora_approve',
  deny: 'sora_deny',
  cancel: 'sora_cancel',
  retry: 'sora_retry',
  again: 'sora_again',
} as const;

export const VIEW_IDS = { generate: 'sora_generate', remix: 'sora_remix_modal' } as const;

/** The message shortcut "Animate with Sora" (manifest.yml: features.shortcuts). */
export const ANIMATE_SHORTCUT_ID = 'animate_with_sora';

export const SLASH_COMMAND = '/sora';

export type ActionValue =
  | { kind: 'remix'; jobId: string }
  | { kind: 'delete'; jobId: string }
  | { kind: 'list_page'; page: number; all: boolean }
  | { kind: 'approve'; jobId: string }
  | { kind: 'deny'; jobId: string }
  | { kind: 'cancel' | 'retry' | 'again'; jobId: string };

const JobIdSchema = z.string().regex(SHORT_ID_PATTERN);
/** Buttons whose value is a job id (the job's state is read again from the ledger on every click). */
const JOB_ACTIONS = new Map<string, 'remix' | 'delete' | 'approve' | 'deny' | 'cancel' | 'retry' | 'again'>([
  [ACTION_IDS.remix, 'remix'],
  [ACTION_IDS.delete, 'delete'],
  [ACTION_IDS.approve, 'approve'],
  [ACTION_IDS.deny, 'deny'],
  [ACTION_IDS.cancel, 'cancel'],
  [ACTION_IDS.retry, 'retry'],
  [ACTION_IDS.again, 'again'],
]);
const ListValueSchema = z.string().regex(/^(\d{1,5}):([01])$/);

/** The `action_id` and `value` of a neutral action's button. */
export function encodeAction(action: Action): { action_id: string; value: string } {
  switch (action.kind) {
    case 'remix':
      return { action_id: ACTION_IDS.remix, value: action.jobId };
    case 'delete':
      return { action_id: ACTION_IDS.delete, value: action.jobId };
    case 'list_page':
      return { action_id: ACTION_IDS.listPage, value: `${action.page}:${action.all ? 1 : 0}` };
    case 'approve':
      return { action_id: ACTION_IDS.approve, value: action.jobId };
    case 'deny':
      return { action_id: ACTION_IDS.deny, value: action.jobId };
    case 'cancel':
    case 'retry':
    case 'again':
      return { action_id: ACTION_IDS[action.kind], value: action.jobId };
  }
}

/** What a click asks for, or undefined for a value that is not ours (stale or forged). */
export function decodeAction(actionId: string, value: string | undefined): ActionValue | undefined {
  if (value === undefined) return undefined;
  const jobKind = JOB_ACTIONS.get(actionId);
  if (jobKind) {
    const jobId = JobIdSchema.safeParse(value);
    if (!jobId.success) return undefined;
    return { kind: jobKind, jobId: jobId.data };
  }
  if (actionId === ACTION_IDS.listPage) {
    const match = ListValueSchema.safeParse(value);
    if (!match.success) return undefined;
    const [page, all] = match.data.split(':');
    return { kind: 'list_page', page: Math.max(1, Number(page)), all: all === '1' };
  }
  return undefined;
}
