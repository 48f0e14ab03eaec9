/**
 * Turns a generate or remix intent into what the job will ask the provider for: a remix inherits its
 * parent's size, length and model and needs a delivered parent the provider still has; a generate
 * with an attachment gets its reference image fetched, checked and fitted first (and, when no size
 * was asked for, the picture's shape decides the frame: reference-image.ts).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { modelFamily, type ProviderCapabilities } from '../sora/capabilities.js';
import type { CoreContext } from './core-context.js';
import type { Attachment, GenerateIntent, RemixIntent } from './intents.js';
import type { Job, JobRequest } from './job.js';
import type { NoticeMessage } from './messages.js';
import { prepareReferenceImage } from './reference-image.js';
import { noSuchVideo, notice } from './replies.js';

export type PreparedRequest = { request: JobRequest } | { reply: NoticeMessage };

export function prepareRemix(
  intent: RemixIntent,
  parent: Job | undefined,
  now: number,
  capabilities: ProviderCapabilities,
): PreparedRequest {
  if (!parent) return { reply: noSuchVideo(intent.jobId) };
  if (parent.state !== 'delivered' || !parent.providerVideoId)
    return {
      reply: notice(
        `Video \`${parent.id}\` isn't finished yet; remix it once it has been delivered.`,
        'warning',
      ),
    };
  if (parent.providerExpiresAt && parent.providerExpiresAt <= now)
    return {
      reply: notice(
        `Video \`${parent.id}\` is too old to remix: the provider keeps videos for a limited time. Make a new one with \`/sora PROMPT\`.`,
        'warning',
      ),
    };
  // Modals hand the core a remix prompt without the text parser's length check.
  const max = capabilities.models[modelFamily(parent.request.model) ?? 'sora-2']?.maxPromptChars ?? 32_000;
  if (intent.prompt.length > max)
    return { reply: notice(`That prompt is over ${max.toLocaleString('en-US')} characters.`, 'warning') };
  return {
    request: {
      kind: 'remix',
      prompt: intent.prompt,
      seconds: parent.request.seconds,
      size: parent.request.size,
      model: parent.request.model,
      imagePath: null,
      remixOf: parent.id,
      remixOfVideoId: parent.providerVideoId,
      // No picture of its own: the parent's frame, as asked for.
      fit: 'cover',
      sizeFrom: 'request',
    },
  };
}

export async function prepareGenerate(
  ctx: CoreContext,
  capabilities: ProviderCapabilities,
  intent: GenerateIntent,
  attachment: Attachment | null | undefined,
): Promise<PreparedRequest> {
  let imagePath: string | null = null;
  let size = intent.size;
  let sizeFrom: JobRequest['sizeFrom'] = 'request';
  if (attachment) {
    const family = modelFamily(intent.model);
    const caps = family ? capabilities.models[family] : undefined;
    if (!caps) return { reply: notice(`\`${intent.model}\` isn't available here.`, 'warning') };
    const prepared = await prepareReferenceImage(attachment, {
      size: intent.size,
      auto: intent.autoSize,
      fit: intent.fit,
      caps,
      dir: join(ctx.settings.dataDir, 'inputs'),
      name: randomUUID(),
      ffmpegPath: ctx.settings.ffmpegPath,
    });
    if (!prepared.ok) return { reply: notice(prepared.message, 'warning') };
    imagePath = prepared.path;
    size = prepared.size;
    sizeFrom = prepared.sizeFrom;
  }
  return {
    request: {
      kind: 'generate',
      prompt: intent.prompt,
      seconds: intent.seconds,
      size,
      model: intent.model,
      imagePath,
      remixOf: null,
      remixOfVideoId: null,
      fit: intent.fit ?? 'cover',
      sizeFrom,
    },
  };
}
