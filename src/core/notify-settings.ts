/**
 * Who is mentioned when a video is delivered, fails or is refused: the requester, unless the bot runs
 * with SORA_NOTIFY=none or the person said `/sora settings notify off`. Their choice is kept in the
 * store (one value per person and workspace), so it holds on every replica and after a restart.
 * The mention is always the requester's platform id, never text from a prompt.
 */
import type { CoreContext } from './core-context.js';
import type { Job } from './job.js';
import type { NoticeMessage } from './messages.js';
import { notice } from './replies.js';
import { type Requester, requesterKey } from './requester.js';

export const NOTIFY_MODES = ['mention', 'none'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];

const optOutKey = (r: Pick<Requester, 'platform' | 'workspace' | 'user'>) =>
  `settings:notify-off:${requesterKey(r)}`;

/** Whether this person turned mentions off for themselves. */
export async function notifyTurnedOff(
  ctx: CoreContext,
  r: Pick<Requester, 'platform' | 'workspace' | 'user'>,
): Promise<boolean> {
  return (await ctx.ledger.store.get<boolean>(optOutKey(r))) === true;
}

/** The platform id to mention in the job's delivered or failure message, or null for nobody. */
export async function mentionFor(ctx: CoreContext, job: Job): Promise<string | null> {
  if ((ctx.settings.notify ?? 'mention') === 'none') return null;
  return (await notifyTurnedOff(ctx, job.requester)) ? null : job.requester.user;
}

/** `/sora settings` and `/sora settings notify on|off`, answered privately. */
export async function settingsCommand(
  ctx: CoreContext,
  r: Requester,
  notify: boolean | null,
): Promise<NoticeMessage> {
  const botWide = (ctx.settings.notify ?? 'mention') === 'none';
  const offForAll = botWide
    ? ' (This bot mentions nobody for now: SORA_NOTIFY=none; your choice is kept for when it does.)'
    : '';
  if (notify === null) {
    const off = await notifyTurnedOff(ctx, r);
    return notice(
      off
        ? `Notifications: off. I don't mention you when your videos are ready; \`/sora settings notify on\` turns them on.${offForAll}`
        : `Notifications: on. I mention you when your video is ready, fails or is refused; \`/sora settings notify off\` stops that.${offForAll}`,
      'info',
    );
  }
  // Stored without expiry: a setting, not a cache.
  await ctx.ledger.store.set(optOutKey(r), !notify);
  ctx.logger.info({ user: r.user, notify }, 'notification setting changed');
  return notice(
    notify
      ? `Done: I'll mention you when your video is ready, fails or is refused.${offForAll}`
      : "Done: I won't mention you any more when your videos are ready; `/sora settings notify on` undoes it.",
    'success',
  );
}
