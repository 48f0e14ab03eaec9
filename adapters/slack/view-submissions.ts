/**
 * Modal submissions. Validation happens before the ack, so problems show next to their field
 * (`response_action: errors`); the ack then closes the modal within Slack's 3 seconds, and the job is
 * created afterwards (downloading an image can take longer). The submission's trigger_id is unique per
 * submit and repeated by a redelivery, so it is the idempotency key.
 */
import type { App, SlackViewAction } from '@slack/bolt';
import type { Attachment, AttachmentMeta } from '../../src/core/intents.js';
import { VIEW_IDS } from './action-ids.js';
import { channelScope, decodeConversation, slackRequester } from './conversation.js';
import { answeringFailures, type SlackHandlerDeps, tellPrivately } from './handler-context.js';
import {
  IMAGE_BLOCK_ID,
  type ModalMetadata,
  readGenerateSubmission,
  readMetadata,
  readRemixSubmission,
  submittedImage,
} from './modals.js';
import { fileRefusal, lazySlackAttachment, slackAttachment } from './slack-files.js';

export function registerViewSubmissions(app: App, deps: SlackHandlerDeps): void {
  app.view(VIEW_IDS.generate, async ({ ack, body, view }) => {
    const meta = readMetadata(view.private_metadata);
    const where = meta ? decodeConversation(meta.c) : undefined;
    if (!meta || !where) {
      await ack();
      return;
    }
    const values = view.state.values as Record<string, Record<string, unknown>>;
    const uploaded = submittedImage(values);
    const image: AttachmentMeta | null = meta.f
      ? { filename: meta.n ?? 'image', contentType: meta.m ?? null, bytes: null }
      : uploaded
        ? { filename: uploaded.name, contentType: uploaded.mimetype ?? null, bytes: uploaded.size ?? null }
        : null;
    const result = readGenerateSubmission(values, {
      capabilities: deps.core.capabilities,
      defaultModel: deps.core.defaultModel,
      image,
      imageFromShortcut: Boolean(meta.f),
    });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    // A file field holds uploads, which live on Slack; checked all the same, next to the field.
    const refusal = !meta.f && uploaded ? fileRefusal(uploaded, deps.files.policy) : undefined;
    if (refusal) {
      await ack({ response_action: 'errors', errors: { [IMAGE_BLOCK_ID]: refusal } });
      return;
    }
    await ack();
    const attachment: Attachment | null = meta.f
      ? lazySlackAttachment(
          { id: meta.f, name: meta.n ?? 'image', mimetype: meta.m ?? null },
          deps.slack,
          deps.files,
        )
      : uploaded
        ? slackAttachment(uploaded, deps.files)
        : null;
    await runFromModal(deps, body, meta, { intent: result.value, attachment });
  });

  app.view(VIEW_IDS.remix, async ({ ack, body, view }) => {
    const meta = readMetadata(view.private_metadata);
    if (!meta?.j || !decodeConversation(meta.c)) {
      await ack();
      return;
    }
    const result = readRemixSubmission(view.state.values as Record<string, Record<string, unknown>>);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    await ack();
    await runFromModal(deps, body, meta, {
      intent: { kind: 'remix', jobId: meta.j, prompt: result.value },
      attachment: null,
    });
  });
}

async function runFromModal(
  deps: SlackHandlerDeps,
  body: SlackViewAction,
  meta: ModalMetadata,
  request: {
    intent: Parameters<SlackHandlerDeps['core']['run']>[0]['intent'];
    attachment: Attachment | null;
  },
): Promise<void> {
  const where = decodeConversation(meta.c)!;
  const team = where.team;
  const user = body.user.id;
  const triggerId = (body as { trigger_id?: string }).trigger_id ?? body.view.hash;
  const target = { channel: where.channel, user, threadTs: where.threadTs };
  await answeringFailures(deps, target, async () => {
    const outcome = await deps.core.run({
      requester: slackRequester({ team, user, userName: body.user.name }),
      channel: channelScope(team, where.channel),
      conversation: meta.c,
      intent: request.intent,
      attachment: request.attachment,
      idempotencyKey: `slack:view:${team}:${body.view.id}:${triggerId}`,
    });
    if (outcome.kind === 'reply') await tellPrivately(deps, target, outcome.message);
  });
}
