import { z } from 'zod';
import { DiscordErrors } from './http-io.js';
import type { SnowflakeSource } from './snowflake.js';

/**
 * Application command registration as Discord validates it: chat-input names are lowercase, 1..32 chars,
 * descriptions 1..100, <= 25 options and choices. https://discord.com/developers/docs/interactions/application-commands
 */
const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

const OptionSchema: z.ZodType<unknown> = z.lazy(() =>
  z
    .looseObject({
      type: z.number().int().min(1).max(11),
      name: z.string().regex(NAME),
      description: z.string().min(1).max(100),
      required: z.boolean().optional(),
      choices: z
        .array(z.looseObject({ name: z.string().min(1).max(100), value: z.union([z.string(), z.number()]) }))
        .max(25)
        .optional(),
      options: z.array(OptionSchema).max(25).optional(),
      autocomplete: z.boolean().optional(),
    })
    .superRefine((o, ctx) => {
      // Autocomplete only on STRING, INTEGER and NUMBER options, and never together with choices.
      if (o.autocomplete && (![3, 4, 10].includes(o.type) || (o.choices?.length ?? 0) > 0))
        ctx.addIssue({ code: 'custom', path: ['autocomplete'], message: 'Invalid autocomplete option' });
    }),
);

/** 0 GUILD_INSTALL, 1 USER_INSTALL. https://discord.com/developers/docs/resources/application#application-object-application-integration-types */
const IntegrationTypesSchema = z
  .array(z.union([z.literal(0), z.literal(1)]))
  .min(1)
  .refine((types) => new Set(types).size === types.length, 'Duplicate integration type');
/** 0 GUILD, 1 BOT_DM, 2 PRIVATE_CHANNEL. https://discord.com/developers/docs/interactions/application-commands#interaction-contexts */
const ContextsSchema = z
  .array(z.union([z.literal(0), z.literal(1), z.literal(2)]))
  .min(1)
  .refine((contexts) => new Set(contexts).size === contexts.length, 'Duplicate context');

const CommandSchema = z
  .looseObject({
    name: z.string().min(1).max(32),
    type: z.number().int().min(1).max(4).optional(),
    description: z.string().max(100).optional(),
    options: z.array(OptionSchema).max(25).optional(),
    integration_types: IntegrationTypesSchema.optional(),
    contexts: ContextsSchema.nullable().optional(),
  })
  .superRefine((c, ctx) => {
    const chatInput = (c.type ?? 1) === 1;
    if (chatInput && (!NAME.test(c.name) || c.name !== c.name.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'Invalid chat input command name' });
    }
    if (chatInput && !c.description) {
      ctx.addIssue({
        code: 'custom',
        path: ['description'],
        message: 'Chat input commands need a description',
      });
    }
  });

export type RegisteredCommand = Record<string, unknown> & { id: string; name: string; type: number };

export class CommandStore {
  /** key: 'global' or a guild id */
  private readonly scopes = new Map<string, Map<string, RegisteredCommand>>();

  constructor(
    private readonly applicationId: string,
    private readonly nextId: SnowflakeSource,
  ) {}

  list(scope: string): RegisteredCommand[] {
    return [...(this.scopes.get(scope)?.values() ?? [])];
  }

  /** Bulk overwrite: ids survive for commands that keep their name and type, as on Discord. */
  overwrite(scope: string, body: unknown): RegisteredCommand[] {
    const parsed = z.array(CommandSchema).max(100).safeParse(body);
    if (!parsed.success) throw DiscordErrors.invalidFormBody(z.treeifyError(parsed.error));
    const previous = this.scopes.get(scope) ?? new Map<string, RegisteredCommand>();
    const next = new Map<string, RegisteredCommand>();
    for (const command of parsed.data) {
      const stored = this.build(scope, command, previous);
      next.set(`${stored.type}:${stored.name}`, stored);
    }
    this.scopes.set(scope, next);
    return [...next.values()];
  }

  upsert(scope: string, body: unknown): RegisteredCommand {
    const parsed = CommandSchema.safeParse(body);
    if (!parsed.success) throw DiscordErrors.invalidFormBody(z.treeifyError(parsed.error));
    const commands = this.scopes.get(scope) ?? new Map<string, RegisteredCommand>();
    const stored = this.build(scope, parsed.data, commands);
    commands.set(`${stored.type}:${stored.name}`, stored);
    this.scopes.set(scope, commands);
    return stored;
  }

  /** The registered command an interaction for (name, type) would carry, in guild scope first. */
  find(name: string, type: number, guildId: string | null): RegisteredCommand | undefined {
    const key = `${type}:${name}`;
    return (guildId ? this.scopes.get(guildId)?.get(key) : undefined) ?? this.scopes.get('global')?.get(key);
  }

  private build(
    scope: string,
    command: z.infer<typeof CommandSchema>,
    previous: Map<string, RegisteredCommand>,
  ): RegisteredCommand {
    const type = command.type ?? 1;
    const old = previous.get(`${type}:${command.name}`);
    return {
      ...command,
      id: old?.id ?? this.nextId(),
      application_id: this.applicationId,
      version: this.nextId(),
      type,
      name: command.name,
      description: command.description ?? '',
      default_member_permissions: command['default_member_permissions'] ?? null,
      nsfw: command['nsfw'] ?? false,
      contexts: command['contexts'] ?? null,
      integration_types: command['integration_types'] ?? [0],
      ...(scope === 'global' ? {} : { guild_id: scope }),
    };
  }
}
