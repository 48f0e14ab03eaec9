/**
 * The sentences the bot says, in one place: plain words, what happened and what to do next.
 */
import type { ProviderCapabilities } from '../sora/capabilities.js';
import type { FailureCode, Job } from './job.js';
import type { Action, FailureMessage, HelpMessage, JobView, NoticeMessage } from './messages.js';
import { toJobView } from './messages.js';
import { publicDetail } from './public-text.js';

export const MODERATION_TEXT =
  "Sora declined this prompt: it can't show real people, copyrighted characters or music, or adult content.";

const FAILURE_TEXT: Record<FailureCode, { text: string; hint: string | null }> = {
  moderation_blocked: { text: MODERATION_TEXT, hint: 'Rephrase the prompt and try again.' },
  invalid_request: { text: 'Sora rejected the request.', hint: 'Check the options with `/sora help`.' },
  provider_error: { text: "Sora couldn't make this video.", hint: 'Try again in a few minutes.' },
  expired: {
    text: 'The video expired at the provider before I could fetch it.',
    hint: 'Run the prompt again.',
  },
  delivery_failed: { text: "I couldn't post the finished video here.", hint: null },
  image_invalid: {
    text: "The attached image couldn't be used.",
    hint: 'Attach a JPEG, PNG or WebP picture.',
  },
  auth: {
    text: "The bot's Sora key was rejected by the provider.",
    hint: 'Ask whoever runs the bot to check the key (`sora-bot doctor`).',
  },
  approval_denied: {
    text: 'An admin declined this video; nothing was spent.',
    hint: 'Ask an admin, or make a shorter or smaller video (`/sora budget` shows what is left).',
  },
  approval_expired: {
    text: 'No admin approved this video within a day; nothing was spent.',
    hint: 'Run the prompt again when an admin is around.',
  },
};

export function failureMessage(job: Job): FailureMessage {
  const code = job.failure?.code ?? 'provider_error';
  const base = FAILURE_TEXT[code];
  // Only what is safe to show: paths, hosts and stack frames stay in the log.
  const shown = code === 'moderation_blocked' ? null : publicDetail(job.failure?.message);
  const detail = shown ? ` (${shown})` : '';
  return {
    kind: 'failure',
    job: toJobView(job),
    code,
    text: `${base.text}${detail}`,
    hint: base.hint,
    requestId: job.failure?.requestId ?? null,
  };
}

export function notice(text: string, tone: NoticeMessage['tone'] = 'info'): NoticeMessage {
  return { kind: 'notice', tone, text };
}

/** The note that replaces a deleted job's video message. */
export function deletedNote(job: Job): NoticeMessage {
  return notice(`Video \`${job.id}\` was deleted${job.deletedBy ? ` by ${job.deletedBy}` : ''}.`, 'info');
}

export function noSuchVideo(jobId: string): NoticeMessage {
  return notice(
    `I can't find a video \`${jobId}\` in this workspace. \`/sora list\` shows yours.`,
    'warning',
  );
}

export function resultActions(job: JobView): Action[] {
  return [
    { kind: 'remix', jobId: job.id, label: 'Remix' },
    { kind: 'again', jobId: job.id, label: 'Again' },
    { kind: 'delete', jobId: job.id, label: 'Delete' },
  ];
}

export function helpMessage(caps: ProviderCapabilities, defaultModel: string): HelpMessage {
  const models = Object.values(caps.models).filter((m) => m !== undefined);
  const seconds = models[0]?.seconds.join(', ') ?? '4, 8, 12';
  const sizes = [...new Set(models.flatMap((m) => m.sizes))].join(', ');
  return {
    kind: 'help',
    commands: [
      { usage: '/sora PROMPT', description: 'Make a video (attach an image to animate it).' },
      { usage: '  --seconds N', description: `Length in seconds: ${seconds}.` },
      {
        usage: '  --landscape | --portrait | --size WxH',
        description: `Shape; sizes here: ${sizes}. Without one, an attached image's shape decides.`,
      },
      {
        usage: '  --fit cover | contain',
        description:
          'How an image meets the frame: fill it and crop the edges (cover, default), or whole, with bars.',
      },
      {
        usage: '  --model NAME | --pro',
        description: `Model: ${models.map((m) => m.model).join(' or ')} (default ${defaultModel}).`,
      },
      { usage: '/sora remix ID PROMPT', description: 'Make a new version of a finished video.' },
      { usage: '/sora status ID', description: 'Where a video is: queued, rendering, delivered.' },
      {
        usage: '/sora list [--all] [--page N]',
        description: 'Your videos here (--all: everyone in this channel).',
      },
      { usage: '/sora delete ID', description: 'Delete a video you made (admins: any video).' },
      { usage: '/sora budget', description: 'What you and the workspace have left to spend.' },
      { usage: '/sora usage [month|day|YYYY-MM]', description: 'Spend for the period, as a chart.' },
      { usage: '/sora help', description: 'This help.' },
    ],
    notes: [
      'Every video gets a short id like `k3f9qz`; use it with remix, status and delete.',
      'A command word is a command only in the shapes above (`help` alone, `status k3f9qz`…); anything else is a prompt, kept as you typed it, line breaks too.',
      'Options can go anywhere in the prompt; after `--` nothing is an option: `/sora --landscape -- a film called --help`.',
      'Each answer says what the video costs before anything is spent.',
      "Sora won't show real people, copyrighted characters or music, or adult content.",
    ],
  };
}
