/**
 * Renders the neutral messages as plain text lines (no markup at all). Used by the playground and
 * the CLI, and as the notification fallback text of the chat adapters. Callers escape the result for
 * their own format; this module adds no markup that could need it.
 */
import type { BotMessage, JobView, StatusMessage } from './messages.js';
import { formatDuration, progressBar } from './messages.js';
import { formatUsd } from './pricing.js';

export function describeOptions(job: JobView): string {
  const parts = [`${job.seconds}s`, job.size, job.model];
  if (job.hasImage) parts.push(frameLine(job));
  if (job.remixOf) parts.push(`remix of ${job.remixOf}`);
  if (job.costMicros != null) parts.push(`about ${formatUsd(job.costMicros)}`);
  if (job.deployment) parts.push(`on ${job.deployment}`);
  return parts.join(' · ');
}

/** "landscape, from your image" when the picture chose the frame; "whole image, with bars" for `contain`. */
export function frameLine(job: Pick<JobView, 'size' | 'frame'>): string {
  const [width = 0, height = 0] = job.size.split('x').map(Number);
  const base =
    job.frame?.sizeFrom === 'image'
      ? `${width > height ? 'landscape' : 'portrait'}, from your image`
      : 'from an image';
  return job.frame?.fit === 'contain' ? `${base} (whole image, with bars)` : base;
}

export function requesterLabel(job: JobView): string {
  return job.requesterName ?? job.requesterUser;
}

export function statusLine(message: StatusMessage): string {
  switch (message.phase) {
    case 'approval':
      return `Waiting for an admin to approve${message.job.costMicros != null ? ` (about ${formatUsd(message.job.costMicros)})` : ''}: nothing is spent until then.`;
    case 'queued': {
      if (message.held) return `Queued: ${message.held}`;
      const position = message.queuePosition ? `#${message.queuePosition} in the queue` : 'in the queue';
      const eta = message.etaMs ? `, starts in about ${formatDuration(message.etaMs)}` : '';
      return `Queued: ${position}${eta}`;
    }
    case 'submitting':
      return 'Sending to Sora…';
    case 'rendering':
      return `Rendering ${progressBar(message.progress)}`;
    case 'downloading':
      return 'Rendered; fetching the video…';
    case 'delivering':
      return 'Posting the video…';
    case 'done':
      return 'Done: the video is below.';
    case 'failed':
      return 'Failed: see the message below.';
    case 'deleted':
      return 'Deleted.';
    case 'cancelled': {
      const by = message.cancelled?.by ? ` by ${message.cancelled.by}` : '';
      return message.cancelled?.sent
        ? `Cancelled${by}: the render was stopped at Sora.`
        : `Cancelled${by} before it was sent: nothing was spent.`;
    }
  }
}

export function renderPlainText(message: BotMessage): string {
  switch (message.kind) {
    case 'status':
      return [
        `🎬 ${message.job.prompt}`,
        `${describeOptions(message.job)} · by ${requesterLabel(message.job)} · id ${message.job.id}`,
        statusLine(message),
      ].join('\n');
    case 'result':
      return [
        `🎬 ${message.job.prompt}`,
        `${describeOptions(message.job)} · by ${requesterLabel(message.job)} · id ${message.job.id}`,
        ...message.notes,
      ].join('\n');
    case 'failure':
      return [
        `⚠️ ${message.text}`,
        ...(message.hint ? [message.hint] : []),
        ...(message.job ? [`Video ${message.job.id}`] : []),
        ...(message.requestId ? [`Provider request id: ${message.requestId}`] : []),
      ].join('\n');
    case 'list': {
      const title = message.scope === 'mine' ? 'Your videos' : 'Videos in this channel';
      if (message.total === 0) return `${title}: none yet. Make one with /sora PROMPT.`;
      const lines = message.jobs.map(
        (j) =>
          `${j.id} · ${j.state}${j.state === 'rendering' ? ` ${j.progress}%` : ''} · ${describeOptions(j)} · ${truncate(j.prompt, 60)}`,
      );
      return [
        `${title} (page ${message.page} of ${message.pageCount}, ${message.total} in all):`,
        ...lines,
      ].join('\n');
    }
    case 'job_details': {
      const j = message.job;
      return [
        `${j.id}: ${j.state}${j.state === 'rendering' ? ` ${j.progress}%` : ''}${message.queuePosition ? ` (#${message.queuePosition} in the queue)` : ''}`,
        `${describeOptions(j)} · by ${requesterLabel(j)}`,
        `Prompt: ${j.prompt}`,
      ].join('\n');
    }
    case 'help':
      return [
        'sora-bot makes short videos with Sora 2.',
        ...message.commands.map((c) => `${c.usage.padEnd(40)} ${c.description}`),
        ...message.notes,
      ].join('\n');
    case 'usage':
      return [message.title, ...message.lines].join('\n');
    case 'notice':
      return message.text;
  }
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
