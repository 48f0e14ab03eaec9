/**
 * `/sora usage` in Slack. The numbers are the ephemeral answer (only the asker sees them). An
 * ephemeral message cannot carry an uploaded file, so the chart goes to the asker's DM with the bot:
 * a short message there (its answer names the DM's conversation id, which files.completeUploadExternal
 * needs: it refuses a user id), then the PNG with files.uploadV2. The ephemeral answer says where the
 * chart went, or that it could not be sent; the numbers arrive either way.
 */
import type { UsageMessage } from '../../src/core/messages.js';
import { type Block, renderMessage } from './blocks.js';
import { type PrivateTarget, type SlackHandlerDeps, tellPrivately } from './handler-context.js';
import { escapeSlackText } from './mrkdwn.js';

const CHART_SENT = '📈 Chart sent to you in a DM with me.';
const CHART_NOT_SENT = '⚠️ The chart could not be sent to you in a DM; the numbers above are complete.';
const CHART_NOT_DRAWN = 'No chart this time (it could not be drawn); the numbers above are complete.';

export async function answerUsage(
  deps: SlackHandlerDeps,
  target: PrivateTarget,
  message: UsageMessage,
): Promise<void> {
  const note = message.chart
    ? (await sendChartByDm(deps, target.user, message, message.chart))
      ? CHART_SENT
      : CHART_NOT_SENT
    : CHART_NOT_DRAWN;
  const body = renderMessage(message);
  const blocks: Block[] = [
    ...body.blocks,
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlackText(note) }] },
  ];
  await tellPrivately(deps, target, { text: `${body.text}\n${note}`, blocks });
}

/** True once the chart is in the asker's DM; a failure is logged and reported as false. */
async function sendChartByDm(
  deps: SlackHandlerDeps,
  user: string,
  message: UsageMessage,
  chart: NonNullable<UsageMessage['chart']>,
): Promise<boolean> {
  try {
    const body = renderMessage(message);
    // Posting to a user id lands in the bot's DM with them (chat:write); the answer names that DM.
    const posted = await deps.slack.call('chat.postMessage', { channel: user, ...body, unfurl_links: false });
    const dm = typeof posted.channel === 'string' ? posted.channel : '';
    if (!/^D[A-Z0-9]+$/.test(dm)) throw new Error(`chat.postMessage named no DM (${dm || 'nothing'})`);
    await deps.slack.uploadSmallFile({
      channel: dm,
      bytes: chart.png,
      filename: chart.filename,
      title: message.title,
      altText: chart.alt,
    });
    return true;
  } catch (error) {
    deps.logger.warn({ err: error, user }, 'could not send the usage chart by DM');
    return false;
  }
}
