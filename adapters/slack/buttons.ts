/**
 * Button clicks, handled by one global listener per action id, with the job id (or page) in the
 * button's value: they keep working after a restart. Remix opens the remix modal with the click's
 * fresh trigger_id; Delete runs the core's delete (which checks ownership); Approve and Deny run the
 * core's approval (which checks that the presser is an admin) and answer the presser privately;
 * Cancel, Retry and Again run the core's job controls (job-controls.ts: who may, and one effect however
 * often they are pressed), which edit or post the public messages and answer the presser privately;
 * list pages replace the ephemeral list in place.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { noSuchVideo } from '../../src/core/replies.js';
import { ACTION_IDS, decodeAction } from './action-ids.js';
import { renderMessage } from './blocks.js';
import { channelScope, slackRequester } from './conversation.js';
import {
  type RespondFn,
  requesterWithAdmin,
  type SlackHandlerDeps,
  tellPrivately,
} from './handler-context.js';
import { remixModal } from './modals.js';

/**
 * Clicks where being a workspace admin counts (workspace admins and owners may delete, approve, and
 * cancel or retry someone else's job).
 */
const ADMIN_MATTERS = new Set(['delete', 'approve', 'deny', 'cancel', 'retry']);

export function registerButtons(app: App, deps: SlackHandlerDeps): void {
  for (const actionId of Object.values(ACTION_IDS)) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const decoded = decodeAction(action.action_id, action.value);
      if (!decoded) return;
      if (!(await deps.firstDelivery(`click:${body.trigger_id}`))) return;
      const team = body.team?.id ?? body.user.team_id ?? '';
      const channelId = body.channel?.id ?? body.container?.channel_id ?? '';
      const user = body.user.id;
      const who = { team, user, userName: body.user.name };
      // users.info (admin check) only where it matters: views.open needs the trigger_id within 3 s.
      const requester = ADMIN_MATTERS.has(decoded.kind)
        ? await requesterWithAdmin(deps, who)
        : slackRequester(who);
      const reply = { channel: channelId, user, respond: respond as RespondFn };
      const scope = channelScope(team, channelId);
      switch (decoded.kind) {
        case 'remix': {
          const view = await deps.core.viewJob(requester, decoded.jobId);
          const record = view ? await deps.core.jobRecord(decoded.jobId) : undefined;
          if (!view || !record) {
            await tellPrivately(deps, reply, noSuchVideo(decoded.jobId));
            return;
          }
          await deps.slack.call('views.open', {
            trigger_id: body.trigger_id,
            view: remixModal(view, { c: record.conversation, j: view.id }, deps.core.estimateCost(view)),
          });
          return;
        }
        case 'delete': {
          const outcome = await deps.core.run({
            requester,
            channel: scope,
            conversation: scope,
            intent: { kind: 'delete', jobId: decoded.jobId },
          });
          if (outcome.kind === 'reply') await tellPrivately(deps, reply, outcome.message);
          return;
        }
        case 'approve':
        case 'deny': {
          // The core decides (admins only; anyone else hears so); it then edits the status message,
          // whose buttons go away once the job no longer waits.
          const outcome = await deps.core.run({
            requester,
            channel: scope,
            conversation: scope,
            intent: { kind: 'approval', jobId: decoded.jobId, approve: decoded.kind === 'approve' },
          });
          if (outcome.kind === 'reply') await tellPrivately(deps, reply, outcome.message);
          return;
        }
        case 'cancel':
        case 'retry':
        case 'again': {
          const outcome = await deps.core.run({
            requester,
            channel: scope,
            conversation: scope,
            intent: { kind: 'control', action: decoded.kind, jobId: decoded.jobId },
          });
          if (outcome.kind === 'reply') await tellPrivately(deps, reply, outcome.message);
          return;
        }
        case 'list_page': {
          const outcome = await deps.core.run({
            requester,
            channel: scope,
            conversation: scope,
            intent: { kind: 'list', all: decoded.all, page: decoded.page },
          });
          if (outcome.kind !== 'reply') return;
          // The list is an ephemeral message: the response_url replaces it with the new page.
          await respond({
            response_type: 'ephemeral',
            replace_original: true,
            ...renderMessage(outcome.message),
          });
          return;
        }
      }
    });
  }
}
