/**
 * The application commands, built from the provider's capabilities so that the choices offered are
 * exactly what the configured provider renders (Azure: sora-2 only, two sizes). Registered with a
 * bulk PUT, which is idempotent: ids survive for commands that keep their name and type.
 * https://discord.com/developers/docs/interactions/application-commands
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPutAPIApplicationCommandsJSONBody,
  Routes,
} from 'discord.js';
import type { ProviderCapabilities } from '../../src/sora/capabilities.js';
import { moneySubcommands } from './money-commands.js';

export const COMMAND_NAME = 'sora';
export const CONTEXT_MENUS = { remix: 'Remix with Sora', animate: 'Animate with Sora' } as const;
export const SUBCOMMANDS = [
  'generate',
  'remix',
  'status',
  'list',
  'delete',
  'budget',
  'usage',
  'settings',
  'help',
] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

/** Discord caps a string option at 6000 characters. */
const MAX_STRING_OPTION = 6000;

const ORIENTATION: Record<string, string> = {
  '720x1280': 'portrait',
  '1280x720': 'landscape',
  '1024x1792': 'tall portrait',
  '1792x1024': 'wide landscape',
  '1080x1920': 'portrait 1080p',
  '1920x1080': 'landscape 1080p',
};

export function commandDefinitions(caps: ProviderCapabilities): RESTPutAPIApplicationCommandsJSONBody {
  const models = Object.values(caps.models).filter((m) => m !== undefined);
  const seconds = [...new Set(models.flatMap((m) => m.seconds))];
  const sizes = [...new Set(models.flatMap((m) => m.sizes))];
  const maxPrompt = Math.min(MAX_STRING_OPTION, Math.max(...models.map((m) => m.maxPromptChars)));
  const videoId = {
    type: ApplicationCommandOptionType.String,
    name: 'video',
    description: 'The video id, like k3f9qz (in every video message)',
    required: true,
    min_length: 6,
    max_length: 7,
    // Suggests the person's recent videos by prompt as they type (autocomplete.ts).
    autocomplete: true,
  } as const;
  // Installable to a server and to a person's account; usable in servers, in the bot's DM and in
  // other DMs and group DMs (where the bot is not a member it answers through the interaction).
  const everywhere = {
    integration_types: [ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall],
    contexts: [
      InteractionContextType.Guild,
      InteractionContextType.BotDM,
      InteractionContextType.PrivateChannel,
    ],
  };
  return [
    {
      name: COMMAND_NAME,
      description: 'Make short videos with Sora 2',
      type: ApplicationCommandType.ChatInput,
      ...everywhere,
      options: [
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'generate',
          description: 'Make a video from a prompt (attach an image to animate it)',
          options: [
            {
              type: ApplicationCommandOptionType.String,
              name: 'prompt',
              description: 'What to film',
              required: true,
              max_length: maxPrompt,
            },
            {
              type: ApplicationCommandOptionType.Attachment,
              name: 'image',
              description: 'A JPEG, PNG or WebP picture to start from',
              // Only a hint to the client: the core checks the real bytes after download.
              file_types: ['image'],
            },
            {
              type: ApplicationCommandOptionType.Integer,
              name: 'seconds',
              description: 'Length in seconds',
              choices: seconds.map((s) => ({ name: `${s} seconds`, value: Number(s) })),
            },
            {
              type: ApplicationCommandOptionType.String,
              name: 'size',
              description: 'Shape of the video (default: the image’s shape, else portrait)',
              choices: sizes
                .slice(0, 25)
                .map((s) => ({ name: ORIENTATION[s] ? `${s} (${ORIENTATION[s]})` : s, value: s })),
            },
            {
              type: ApplicationCommandOptionType.String,
              name: 'model',
              description: 'Sora model',
              choices: models.map((m) => ({ name: m.model, value: m.model })),
            },
            {
              type: ApplicationCommandOptionType.String,
              name: 'fit',
              description: 'How the image meets the frame',
              choices: [
                { name: 'cover: fill the frame, crop the edges (default)', value: 'cover' },
                { name: 'contain: the whole image, with bars', value: 'contain' },
              ],
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'remix',
          description: 'Make a new version of a finished video',
          options: [
            videoId,
            {
              type: ApplicationCommandOptionType.String,
              name: 'prompt',
              description: 'What to change',
              required: true,
              max_length: maxPrompt,
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'status',
          description: 'Where a video is: queued, rendering, delivered',
          options: [videoId],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'list',
          description: 'Your videos (or everyone’s in this channel)',
          options: [
            {
              type: ApplicationCommandOptionType.Boolean,
              name: 'all',
              description: 'Everyone’s videos in this channel',
            },
            {
              type: ApplicationCommandOptionType.Integer,
              name: 'page',
              description: 'Page number',
              min_value: 1,
              max_value: 10_000,
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'delete',
          description: 'Delete a video you made (moderators: any video)',
          options: [videoId],
        },
        ...moneySubcommands(),
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'settings',
          description: 'Your settings: whether you are mentioned when your video is ready',
          options: [
            {
              type: ApplicationCommandOptionType.String,
              name: 'notify',
              description: 'Mention me when my video is ready, fails or is refused',
              choices: [
                { name: 'on', value: 'on' },
                { name: 'off', value: 'off' },
              ],
            },
          ],
        },
        { type: ApplicationCommandOptionType.Subcommand, name: 'help', description: 'How to use sora-bot' },
      ],
    },
    { name: CONTEXT_MENUS.remix, type: ApplicationCommandType.Message, ...everywhere },
    { name: CONTEXT_MENUS.animate, type: ApplicationCommandType.Message, ...everywhere },
  ];
}

/** Anything with discord.js's REST `put` (a Client's `rest`, or a bare `REST`). */
export interface CommandRest {
  put(route: `/${string}`, options: { body: unknown }): Promise<unknown>;
}

/** Registers the command set globally or, for testing, in one guild (instant). Idempotent. */
export async function registerCommands(
  rest: CommandRest,
  input: { applicationId: string; guildId?: string | undefined; capabilities: ProviderCapabilities },
): Promise<{ name: string; id: string }[]> {
  const route = input.guildId
    ? Routes.applicationGuildCommands(input.applicationId, input.guildId)
    : Routes.applicationCommands(input.applicationId);
  const answer = (await rest.put(route, { body: commandDefinitions(input.capabilities) })) as {
    name: string;
    id: string;
  }[];
  return answer.map((c) => ({ name: c.name, id: c.id }));
}
