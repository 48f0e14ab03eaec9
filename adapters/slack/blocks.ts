/**
 * Renders the core's neutral messages as Block Kit. Every string that came from a person is escaped
 * (mrkdwn.ts) and cut to Slack's limits (section text 3000 chars, button text 75, 50 blocks per
 * message); the top-level `text` is the escaped plain rendering, used in notifications and as the
 * fallback: https://api.slack.com/reference/block-kit/blocks
 */
import type { Action, BotMessage, JobView, ResultMessage, StatusMessage } from '../../src/core/messages.js';
import { describeOptions, renderPlainText, requesterLabel, statusLine } from '../../src/core/render-text.js';
import { encodeAction } from './action-ids.js';
import { escapeSlackText, safeText } from './mrkdwn.js';

export type Block = Record<string, unknown>;

export interface SlackMessageBody {
  text: string;
  blocks: Block[];
}

const SECTION_MAX = 2900;
const TEXT_MAX = 3900;
/** Marks the message that carries a job's video buttons, so a restart can find it in the thread. */
export const RESULT_BLOCK_PREFIX = 'sora_result:';
/** The block of a status message's buttons (Approve / Deny). */
export const STATUS_ACTIONS_PREFIX = 'sora_status:';

function section(text: string, blockId?: string): Block {
  return { type: 'section', ...(blockId ? { block_id: blockId } : {}), text: { type: 'mrkdwn', text } };
}

function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

function jobLine(job: JobView): string {
  return `${escapeSlackText(describeOptions(job))} · by ${safeText(requesterLabel(job), 80)} · id \`${job.id}\``;
}

function buttons(actions: Action[], blockId?: string): Block[] {
  if (actions.length === 0) return [];
  return [
    {
      type: 'actions',
      ...(blockId ? { block_id: blockId } : {}),
      elements: actions.map((action) => ({
        type: 'button',
        ...encodeAction(action),
        text: { type: 'plain_text', text: safeText(action.label, 70), emoji: true },
        ...buttonStyle(action),
      })),
    },
  ];
}

/**
 * Approve and Retry are the primary choice; Delete, Deny and Cancel are red and ask once more (Slack's
 * `confirm`).
 */
function buttonStyle(action: Action): Block {
  switch (action.kind) {
    case 'approve':
    case 'retry':
      return { style: 'primary' };
    case 'cancel':
      return {
        style: 'danger',
        confirm: confirmDialog(
          'Cancel this video?',
          `Video ${action.jobId} will be stopped: never sent if it is still queued, deleted at Sora if it is rendering.`,
          'Cancel it',
          'Keep it',
        ),
      };
    case 'delete':
      return {
        style: 'danger',
        confirm: confirmDialog(
          'Delete this video?',
          `Video ${action.jobId} will be deleted for everyone.`,
          'Delete',
          'Keep it',
        ),
      };
    case 'deny':
      return {
        style: 'danger',
        confirm: confirmDialog(
          'Deny this video?',
          `Video ${action.jobId} won't be made, and what it reserved goes back to the budget.`,
          'Deny',
          'Back',
        ),
      };
    default:
      return {};
  }
}

function confirmDialog(title: string, text: string, confirm: string, deny: string): Block {
  return {
    title: { type: 'plain_text', text: title },
    text: { type: 'plain_text', text },
    confirm: { type: 'plain_text', text: confirm },
    deny: { type: 'plain_text', text: deny },
  };
}

export function plainFallback(message: BotMessage): string {
  return safeText(renderPlainText(message), TEXT_MAX);
}

export function statusBlocks(message: StatusMessage): Block[] {
  return [
    section(`🎬 *${safeText(message.job.prompt, SECTION_MAX)}*`),
    context(jobLine(message.job)),
    section(escapeSlackText(statusLine(message))),
    // Approve / Deny while the job waits for an admin; the core re-renders without them afterwards.
    ...buttons(message.actions ?? [], `${STATUS_ACTIONS_PREFIX}${message.job.id}`),
  ];
}

/** The caption of an uploaded video (files.completeUploadExternal `initial_comment`, mrkdwn). */
export function resultCaption(message: ResultMessage): string {
  return [
    `🎬 *${safeText(message.job.prompt, SECTION_MAX)}*`,
    jobLine(message.job),
    ...message.notes.map((note) => escapeSlackText(note)),
  ].join('\n');
}

/**
 * A mention of the requester, `<@U…>`, for the message that tells them their video is ready or failed:
 * built from their user id alone (never from text anyone typed), and only for an id of Slack's form.
 */
export function slackMention(user: string | null | undefined): string {
  return user && /^[UW][A-Z0-9]{2,}$/.test(user) ? `<@${user}>` : '';
}

/**
 * The message under a video with its Remix, Again and Delete buttons (block ids mark the job). It is
 * posted after the video, as a new message in the thread, so its mention of the requester notifies
 * them once the video is there (a thread reply alone notifies nobody who never posted in it).
 */
export function resultControls(id: string, actions: Action[], mention?: string | null): SlackMessageBody {
  const who = slackMention(mention);
  return {
    text: who
      ? `${who} your video ${id} is ready: remix it, make it again or delete it with the buttons.`
      : `Video ${id}: remix or delete it with the buttons, or react with an emoji.`,
    blocks: [
      context(
        who
          ? `${who} your video \`${id}\` is ready · react to remix it, or use the buttons`
          : `Video \`${id}\` · react to remix it, or use the buttons`,
      ),
      ...buttons(actions, `${RESULT_BLOCK_PREFIX}${id}`),
    ],
  };
}

export function renderMessage(message: BotMessage): SlackMessageBody {
  const who = message.kind === 'result' || message.kind === 'failure' ? slackMention(message.mention) : '';
  // The fallback text is escaped, so the mention is put in front of it, not through it.
  const text = who ? `${who} ${plainFallback(message)}` : plainFallback(message);
  switch (message.kind) {
    case 'status':
      return { text, blocks: statusBlocks(message) };
    case 'result':
      return {
        text,
        blocks: [section(`${who ? `${who} ` : ''}${resultCaption(message)}`), ...buttons(message.actions)],
      };
    case 'failure':
      return {
        text,
        blocks: [
          section(`${who ? `${who} ` : ''}⚠️ ${safeText(message.text, SECTION_MAX)}`),
          ...(message.hint ? [section(safeText(message.hint, SECTION_MAX))] : []),
          ...(message.job || message.requestId
            ? [
                context(
                  [
                    ...(message.job ? [`Video \`${message.job.id}\``] : []),
                    ...(message.requestId ? [`provider request id ${safeText(message.requestId, 100)}`] : []),
                  ].join(' · '),
                ),
              ]
            : []),
          // Retry, when the same request may work another time.
          ...buttons(message.actions ?? []),
        ],
      };
    case 'list': {
      const title = message.scope === 'mine' ? 'Your videos' : 'Videos in this channel';
      if (message.total === 0)
        return { text, blocks: [section(`*${title}*: none yet. Make one with \`/sora PROMPT\`.`)] };
      const lines = message.jobs.map(
        (j) =>
          `\`${j.id}\` · ${j.state}${j.state === 'rendering' ? ` ${j.progress}%` : ''} · ${escapeSlackText(describeOptions(j))} · ${safeText(j.prompt, 80)}`,
      );
      return {
        text,
        blocks: [
          section(`*${title}* (page ${message.page} of ${message.pageCount}, ${message.total} in all)`),
          section(lines.join('\n')),
          ...buttons(message.actions),
        ],
      };
    }
    case 'job_details':
      return {
        text,
        blocks: [
          section(escapeSlackText(renderPlainText(message)).slice(0, SECTION_MAX)),
          ...buttons(message.actions),
        ],
      };
    case 'help':
      return {
        text,
        blocks: [
          section('*sora-bot makes short videos with Sora 2.*'),
          section(
            message.commands
              .map((c) => `\`${escapeSlackText(c.usage.trim())}\` ${escapeSlackText(c.description)}`)
              .join('\n'),
          ),
          context(message.notes.map((n) => escapeSlackText(n)).join('\n')),
        ],
      };
    case 'usage':
      return {
        text,
        blocks: [
          section(`📊 *${safeText(message.title, 300)}*`),
          ...(message.lines.length > 0 ? [section(safeText(message.lines.join('\n'), SECTION_MAX))] : []),
        ],
      };
    case 'notice': {
      const icon = { info: 'ℹ️', success: '✅', warning: '⚠️', error: '❌' }[message.tone];
      return { text, blocks: [section(`${icon} ${safeText(message.text, SECTION_MAX)}`)] };
    }
  }
}
