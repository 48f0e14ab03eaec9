/**
 * `POST /playground/rooms/:room/actions`: the buttons that act on a job and are never typed commands:
 * Approve and Deny on a status message waiting for an admin, Cancel on a status message, Retry on a
 * failure, Again on a delivered video. The body names the presser (the page's name box) and the
 * button. Anyone may press; the core decides who counts (admins for approvals, SORA_ADMINS
 * `playground:NAME` with NAME the slug of the typed name; the requester or an admin for Cancel and
 * Retry) and tells anyone else privately.
 */
import { z } from 'zod';
import { SHORT_ID_PATTERN } from '../../src/core/short-id.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { sendJson } from '../../src/http/http-server.js';
import type { CommandResponse } from './command-route.js';
import {
  DisplayNameSchema,
  decodePathSegment,
  encodeConversation,
  isRoomId,
  requesterFor,
} from './conversation.js';
import { readJsonBody } from './json-body.js';
import type { RouteTarget } from './request-guard.js';
import { wireMessage } from './wire-message.js';

const ACTIONS_PATH = /^\/playground\/rooms\/([^/]+)\/actions$/;

export const ActionBodySchema = z.object({
  name: DisplayNameSchema,
  action: z.object({
    kind: z.enum(['approve', 'deny', 'cancel', 'retry', 'again']),
    jobId: z.string().regex(SHORT_ID_PATTERN, 'a video id like k3f9qz'),
  }),
});
export type ActionBody = z.infer<typeof ActionBodySchema>;

export function mountActionRoute(http: RouteTarget, core: SoraCore): void {
  http.route('POST', ACTIONS_PATH, async (req, res, url) => {
    const room = decodePathSegment(ACTIONS_PATH.exec(url.pathname)?.[1]);
    if (!isRoomId(room)) {
      sendJson(res, 404, { error: { code: 'not_found', message: 'no such room' } });
      return;
    }
    const body = await readJsonBody(req, res, ActionBodySchema, {
      maxBytes: 4 * 1024,
      tooLargeMessage: 'An action is a few bytes of JSON.',
    });
    if (!body) return;
    sendJson(res, 200, await runAction(core, room, body));
  });
}

export async function runAction(core: SoraCore, room: string, body: ActionBody): Promise<CommandResponse> {
  const conversation = encodeConversation(room);
  const outcome = await core.run({
    requester: requesterFor(body.name),
    channel: conversation,
    conversation,
    intent:
      body.action.kind === 'approve' || body.action.kind === 'deny'
        ? { kind: 'approval', jobId: body.action.jobId, approve: body.action.kind === 'approve' }
        : { kind: 'control', action: body.action.kind, jobId: body.action.jobId },
  });
  if (outcome.kind === 'reply') return { kind: 'reply', reply: wireMessage(outcome.message) };
  return { kind: 'job', jobId: outcome.job.id, duplicate: outcome.duplicate };
}
