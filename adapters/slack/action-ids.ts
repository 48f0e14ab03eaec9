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
} as const;

export const VIEW_IDS = { generate: 'sora_generate', remix: 'sora_remix_modal' } as const;

/** The message shortcut "Animate with Sora" (manifest.yml: features.shortcuts). */
export const ANIMATE_SHORTCUT_ID = 'animate_with_sora';

export const SLASH_COMMAND = '/sora';

export type ActionValue =
  | { kind: 'remix'; jobId: string }
  | { kind: 'delete'; jobId: string }
  | { kind: 'list_page'; page: number; all: boolean };

const JobIdSchema = z.string().regex(SHORT_ID_PATTERN);
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
  }
}

/** What a click asks for, or undefined for a value that is not ours (stale or forged). */
export function decodeAction(actionId: string, value: string | undefined): ActionValue | undefined {
  if (value === undefined) return undefined;
  if (actionId === ACTION_IDS.remix || actionId === ACTION_IDS.delete) {
    const jobId = JobIdSchema.safeParse(value);
    if (!jobId.success) return undefined;
    return { kind: actionId === ACTION_IDS.remix ? 'remix' : 'delete', jobId: jobId.data };
  }
  if (actionId === ACTION_IDS.listPage) {
    const match = ListValueSchema.safeParse(value);
    if (!match.success) return undefined;
    const [page, all] = match.data.split(':');
    return { kind: 'list_page', page: Math.max(1, Number(page)), all: all === '1' };
  }
  return undefined;
}
