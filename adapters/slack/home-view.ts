/**
 * The App Home tab as Block Kit: a "New video" button, what the person's budget leaves, and their newest
 * videos (prompt, state, options, a link to the video's message). Everything a person typed is escaped
 * (mrkdwn.ts) and cut to Slack's limits; the view stays within a Home's 100 blocks by construction
 * (at most HOME_VIDEOS videos of two blocks each, plus a fixed head and foot), and is cut there anyway.
 * Thumbnails: an image block takes only a public `image_url` or a Slack-hosted PNG/JPEG/GIF
 * (`slack_file`); the bot's videos are MP4 and its stills WebP, so the Home links to the video instead.
 * https://docs.slack.dev/surfaces/app-home · https://docs.slack.dev/reference/block-kit/blocks/image-block
 */
import { describeReset } from '../../src/core/budget-periods.js';
import type { JobView } from '../../src/core/messages.js';
import type { BudgetLeft, PersonOverview } from '../../src/core/person-overview.js';
import { formatUsd } from '../../src/core/pricing.js';
import { describeOptions } from '../../src/core/render-text.js';
import type { Block } from './blocks.js';
import { escapeSlackText, safeText } from './mrkdwn.js';

/** The Home's button (a global listener: it works after a restart; its value is the person's DM id). */
export const HOME_ACTIONS = { newVideo: 'sora_home_new_video' } as const;
export const HOME_CALLBACK_ID = 'sora_home';
/** Videos shown; `/sora list` pages through the rest. */
export const HOME_VIDEOS = 20;
/** Slack's limit for a Home view: https://docs.slack.dev/reference/surfaces/views */
export const HOME_BLOCK_LIMIT = 100;
const PROMPT_MAX = 300;
const DM_CHANNEL = /^D[A-Z0-9]+$/;

export interface HomeViewInput {
  overview: PersonOverview;
  /** The person's DM with the bot (`D…`), where a video made from the Home goes; none: no button. */
  dmChannel: string | undefined;
  /** Permalinks of the videos' messages, by job id (those Slack could name). */
  links: ReadonlyMap<string, string>;
}

const BUDGET_WORDS: Record<BudgetLeft['name'], string> = {
  'user-day': 'today',
  'user-month': 'this month',
  'workspace-month': "in the workspace's monthly budget",
};

function section(text: string, blockId?: string): Block {
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: { type: 'mrkdwn', text } };
}

function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/** A state in a few words (`rendering 40%`, `ready`): the neutral state names are the ledger's. */
export function stateWords(job: JobView): string {
  switch (job.state) {
    case 'accepted':
    case 'waiting':
      return job.approval === 'pending' ? '⏳ waiting for approval' : '⏳ queued';
    case 'submitted':
      return '⏳ sent to Sora';
    case 'rendering':
      return `🎞️ rendering ${job.progress}%`;
    case 'downloading':
    case 'delivering':
      return '📤 posting';
    case 'delivered':
      return '✅ ready';
    case 'failed':
      return `⚠️ failed${job.failureCode ? ` (${job.failureCode})` : ''}`;
    case 'deleted':
      return 'deleted';
  }
}

function budgetText(overview: PersonOverview): string {
  const lines = overview.budgets.map((b) => {
    const reset = b.resetsAt ? `, resets ${describeReset(b.resetsAt, overview.at)}` : '';
    return `*${formatUsd(b.left)}* left ${BUDGET_WORDS[b.name]} (of ${formatUsd(b.limit)}${reset})`;
  });
  if (lines.length === 0) lines.push('No spending limit is set for you.');
  const { count, max } = overview.pending;
  lines.push(max === null ? `${count} in progress` : `${count} of at most ${max} in progress`);
  return `💰 ${lines.join(' · ')}`;
}

/** A Slack link, or nothing for anything that is not an https URL (the text between `<` and `|`). */
function link(url: string | undefined, label: string): string {
  if (!url || !/^https:\/\/[^\s<>|]+$/.test(url)) return '';
  return `<${escapeSlackText(url)}|${label}>`;
}

function videoBlocks(job: JobView, url: string | undefined): Block[] {
  const target = job.state === 'delivered' ? 'Open the video' : 'Open the thread';
  const opened = link(url, target);
  return [
    section(`🎬 *${safeText(job.prompt, PROMPT_MAX)}*`, `home_video:${job.id}`),
    context(
      [
        `\`${job.id}\``,
        stateWords(job),
        escapeSlackText(describeOptions(job)),
        // Slack renders the date in the reader's time zone; the fallback is for old clients.
        `<!date^${Math.floor(job.createdAt / 1000)}^{date_short_pretty} {time}|${new Date(job.createdAt).toISOString()}>`,
        ...(opened ? [opened] : []),
      ].join(' · '),
    ),
  ];
}

export function homeView(input: HomeViewInput): Record<string, unknown> {
  const { overview, dmChannel, links } = input;
  const head: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Sora videos', emoji: true } },
    dmChannel && DM_CHANNEL.test(dmChannel)
      ? {
          type: 'actions',
          block_id: 'home_actions',
          elements: [
            {
              type: 'button',
              action_id: HOME_ACTIONS.newVideo,
              value: dmChannel,
              style: 'primary',
              text: { type: 'plain_text', text: '🎬 New video', emoji: true },
            },
          ],
        }
      : context('Type `/sora PROMPT` in a channel, or send me a prompt in Messages, to make a video.'),
    context(
      'Send me a prompt in *Messages* (attach a picture to animate it), or use `/sora` in a channel. `help` lists the commands.',
    ),
    section(budgetText(overview), 'home_budget'),
    { type: 'divider' },
  ];
  const shown = overview.jobs.slice(0, HOME_VIDEOS);
  const videos = shown.flatMap((j) => videoBlocks(j.job, links.get(j.job.id)));
  const foot: Block[] =
    overview.total === 0
      ? [section('*Your videos*: none yet. Press *New video* or send me a prompt.')]
      : overview.total > shown.length
        ? [
            context(
              `Your ${shown.length} newest of ${overview.total} videos. \`/sora list\` pages through all of them.`,
            ),
          ]
        : [];
  const blocks = [...head, ...videos, ...foot];
  return {
    type: 'home',
    callback_id: HOME_CALLBACK_ID,
    // A bug that grew the view must cost the oldest rows, never the whole Home (Slack refuses it).
    blocks: blocks.length > HOME_BLOCK_LIMIT ? blocks.slice(0, HOME_BLOCK_LIMIT) : blocks,
  };
}
