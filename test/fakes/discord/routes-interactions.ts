import { z } from 'zod';
import type { FakeContext } from './context.js';
import { DiscordErrors } from './http-io.js';
import type { InteractionRecord } from './interaction-registry.js';
import { createMessage, editMessage } from './message-writes.js';
import { MessageFlag, type StoredMessage } from './messages.js';
import type { RouteDefinition } from './router.js';

/** https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type */
export const CallbackType = {
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  ApplicationCommandAutocompleteResult: 8,
  Modal: 9,
} as const;

/** An autocomplete answer: at most 25 choices, names 1..100 characters, string values up to 100. */
const AutocompleteDataSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        name: z.string().min(1).max(100),
        value: z.union([z.string().max(100), z.number()]),
      }),
    )
    .max(25),
});

const CallbackBodySchema = z.looseObject({
  type: z.number().int(),
  data: z.looseObject({}).optional(),
});

const ModalDataSchema = z.looseObject({
  custom_id: z.string().min(1).max(100),
  title: z.string().min(1).max(45),
  components: z.array(z.unknown()).min(1).max(5),
});

/** Interaction callback and interaction-webhook routes; both authenticate with the token in the path. */
export function interactionRoutes(ctx: FakeContext): RouteDefinition[] {
  const followUps = new Map<string, Set<string>>();

  const interactionMetadata = (interaction: InteractionRecord): Record<string, unknown> => ({
    id: interaction.id,
    type: interaction.type,
    // `user` in a DM, `member.user` in a guild.
    user: interaction.payload['user'] ?? (interaction.payload['member'] as { user: unknown }).user,
    authorizing_integration_owners: interaction.payload['authorizing_integration_owners'],
  });

  const channelOf = (interaction: InteractionRecord) => {
    const channel = ctx.world.channels.get(interaction.channelId);
    if (!channel) throw DiscordErrors.unknownChannel();
    return channel;
  };

  /** The interaction a webhook route's token belongs to, if still inside the token lifetime (15 min). */
  const webhookInteraction = (
    applicationId: string | undefined,
    token: string | undefined,
  ): InteractionRecord => {
    if (applicationId !== ctx.applicationId) throw DiscordErrors.unknownWebhook();
    const interaction = token ? ctx.interactions.byInteractionToken(token) : undefined;
    if (!interaction) throw DiscordErrors.invalidWebhookToken();
    if (ctx.now() - interaction.dispatchedAtMs > ctx.interactionTokenLifetimeMs) {
      throw DiscordErrors.invalidWebhookToken();
    }
    return interaction;
  };

  const webhookMessage = (interaction: InteractionRecord, messageId: string | undefined): StoredMessage => {
    const id = messageId === '@original' ? interaction.originalMessageId : messageId;
    // Before the interaction is acknowledged there is no original message; Discord says Unknown Webhook.
    if (!id) throw DiscordErrors.unknownWebhook();
    const allowed = id === interaction.originalMessageId || (followUps.get(interaction.id)?.has(id) ?? false);
    const message = ctx.messages.get(id);
    if (!allowed || !message) throw DiscordErrors.unknownMessage();
    return message;
  };

  return [
    {
      method: 'POST',
      template: '/interactions/:interactionId/:token/callback',
      auth: 'none',
      handle: ({ params, body, query, call }) => {
        const interaction = ctx.interactions.get(params['interactionId'] ?? '');
        if (!interaction || interaction.token !== params['token']) throw DiscordErrors.unknownInteraction();
        const elapsed = ctx.now() - interaction.dispatchedAtMs;
        const parsed = CallbackBodySchema.safeParse(body.json);
        if (!parsed.success) throw DiscordErrors.invalidFormBody(z.treeifyError(parsed.error));
        const { type, data } = parsed.data;
        const record = {
          callIndex: call.index,
          interactionId: interaction.id,
          type,
          data: data ?? null,
          msSinceDispatch: elapsed,
          accepted: false,
        };
        if (interaction.firstCallback) {
          ctx.recorder.recordCallback(record);
          throw DiscordErrors.alreadyAcknowledged();
        }
        // The 3 s window to acknowledge: afterwards Discord no longer knows the interaction.
        if (elapsed > ctx.interactionAckDeadlineMs) {
          ctx.recorder.recordCallback(record);
          throw DiscordErrors.unknownInteraction();
        }
        // An autocomplete interaction takes its choices and nothing else; nothing else takes choices.
        if ((interaction.type === 4) !== (type === CallbackType.ApplicationCommandAutocompleteResult))
          throw DiscordErrors.invalidFormBody({
            type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID' }] },
          });
        if (type === CallbackType.ApplicationCommandAutocompleteResult) {
          const choices = AutocompleteDataSchema.safeParse(data);
          if (!choices.success) throw DiscordErrors.invalidFormBody(z.treeifyError(choices.error));
          const accepted = { ...record, accepted: true };
          interaction.firstCallback = accepted;
          ctx.recorder.recordCallback(accepted);
          interaction.resolveCallback(accepted);
          return { status: 204 };
        }
        const channel = channelOf(interaction);
        const commandMessageType = (interaction.payload['data'] as { type?: number }).type === 3 ? 23 : 20;
        const replyType = interaction.type === 2 ? commandMessageType : 19;
        switch (type) {
          case CallbackType.ChannelMessageWithSource:
          case CallbackType.DeferredChannelMessageWithSource: {
            const deferred = type === CallbackType.DeferredChannelMessageWithSource;
            const message = createMessage(ctx, channel, {
              body: data ?? {},
              files: body.files,
              kind: 'interaction-callback',
              callIndex: call.index,
              authorId: ctx.world.bot.id,
              type: replyType,
              extraFlags: deferred ? MessageFlag.Loading : 0,
              webhookId: ctx.applicationId,
              interactionMetadata: interactionMetadata(interaction),
              allowEmpty: deferred,
              silentRecord: deferred,
            });
            interaction.originalMessageId = message.id;
            break;
          }
          case CallbackType.DeferredUpdateMessage:
          case CallbackType.UpdateMessage: {
            const source = interaction.sourceMessageId
              ? ctx.messages.get(interaction.sourceMessageId)
              : undefined;
            if (!source)
              throw DiscordErrors.invalidFormBody({
                type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID' }] },
              });
            if (type === CallbackType.UpdateMessage) {
              editMessage(ctx, source, {
                body: data ?? {},
                files: body.files,
                kind: 'interaction-callback',
                callIndex: call.index,
              });
            }
            interaction.originalMessageId = source.id;
            break;
          }
          case CallbackType.Modal: {
            // A modal cannot answer a modal submit.
            const modal = ModalDataSchema.safeParse(data);
            if (interaction.type === 5 || !modal.success) {
              throw DiscordErrors.invalidFormBody(
                modal.success ? { type: { _errors: [] } } : z.treeifyError(modal.error),
              );
            }
            break;
          }
          default:
            throw DiscordErrors.invalidFormBody({
              type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID' }] },
            });
        }
        const accepted = { ...record, accepted: true };
        interaction.firstCallback = accepted;
        ctx.recorder.recordCallback(accepted);
        interaction.resolveCallback(accepted);
        if (query.get('with_response') !== 'true') return { status: 204 };
        const original = interaction.originalMessageId
          ? ctx.messages.get(interaction.originalMessageId)
          : undefined;
        return {
          status: 200,
          body: {
            interaction: {
              id: interaction.id,
              type: interaction.type,
              response_message_id: original?.id,
              response_message_loading: original ? Boolean(original.flags & MessageFlag.Loading) : undefined,
              response_message_ephemeral: original
                ? Boolean(original.flags & MessageFlag.Ephemeral)
                : undefined,
            },
            resource: {
              type,
              message: original && type !== CallbackType.Modal ? ctx.messages.payload(original) : undefined,
            },
          },
        };
      },
    },
    {
      method: 'GET',
      template: '/webhooks/:applicationId/:token/messages/:messageId',
      auth: 'none',
      handle: ({ params }) => {
        const interaction = webhookInteraction(params['applicationId'], params['token']);
        return { status: 200, body: ctx.messages.payload(webhookMessage(interaction, params['messageId'])) };
      },
    },
    {
      method: 'PATCH',
      template: '/webhooks/:applicationId/:token/messages/:messageId',
      auth: 'none',
      handle: ({ params, body, call }) => {
        const interaction = webhookInteraction(params['applicationId'], params['token']);
        const message = webhookMessage(interaction, params['messageId']);
        editMessage(ctx, message, {
          body: body.json,
          files: body.files,
          kind: 'webhook-edit',
          callIndex: call.index,
        });
        return { status: 200, body: ctx.messages.payload(message) };
      },
    },
    {
      method: 'DELETE',
      template: '/webhooks/:applicationId/:token/messages/:messageId',
      auth: 'none',
      handle: ({ params }) => {
        const interaction = webhookInteraction(params['applicationId'], params['token']);
        webhookMessage(interaction, params['messageId']).deleted = true;
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      template: '/webhooks/:applicationId/:token',
      auth: 'none',
      handle: ({ params, body, query, call }) => {
        const interaction = webhookInteraction(params['applicationId'], params['token']);
        if (!interaction.firstCallback) throw DiscordErrors.unknownWebhook();
        const original = interaction.originalMessageId
          ? ctx.messages.get(interaction.originalMessageId)
          : undefined;
        let message: StoredMessage;
        if (original && original.flags & MessageFlag.Loading) {
          // Documented quirk: the first follow-up after a deferred reply edits the loading message instead
          // of creating one, and keeps its ephemeral flag. https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message
          message = editMessage(ctx, original, {
            body: body.json,
            files: body.files,
            kind: 'followup',
            callIndex: call.index,
          });
        } else {
          message = createMessage(ctx, channelOf(interaction), {
            body: body.json,
            files: body.files,
            kind: 'followup',
            callIndex: call.index,
            authorId: ctx.world.bot.id,
            type: 0,
            webhookId: ctx.applicationId,
            interactionMetadata: interactionMetadata(interaction),
          });
          const ids = followUps.get(interaction.id) ?? new Set<string>();
          ids.add(message.id);
          followUps.set(interaction.id, ids);
        }
        if (query.get('wait') !== 'true') return { status: 204 };
        return { status: 200, body: ctx.messages.payload(message) };
      },
    },
  ];
}
