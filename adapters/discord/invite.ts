/**
 * The permissions the bot asks for in its invite, each with the calls that need it. This list is the
 * single source: the invite link is built from it, the check before a job starts
 * (`missingToDeliver` in interaction-context.ts) reads its bits from it, and
 * test/discord/permissions.test.ts checks that every call site named here exists and that every call
 * in adapters/discord needing a permission is covered. Scopes `bot` and `applications.commands`
 * (slash commands, menus). The bot never adds a reaction, manages messages or creates threads, so
 * it asks for none of those.
 *
 * Permission bits (https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags),
 * written out so that `sora-bot doctor` needs no discord.js; the test compares them with discord.js's
 * PermissionFlagsBits.
 */

export interface BotPermission {
  /** As the Discord client shows it. */
  name: string;
  bit: bigint;
  /** Why the bot needs it, for the README and `sora-bot doctor`. */
  why: string;
  /** Where the code needs it: a file of this repository and a text found in it. */
  usedAt: readonly { file: string; call: string }[];
}

export const BOT_PERMISSIONS = {
  ViewChannel: {
    name: 'View Channel',
    bit: 1n << 10n,
    why: 'see the channel a command came from, and the reactions on its videos',
    usedAt: [
      { file: 'adapters/discord/discord-surface.ts', call: 'channel.send(' },
      { file: 'adapters/discord/reactions.ts', call: 'Events.MessageReactionAdd' },
    ],
  },
  SendMessages: {
    name: 'Send Messages',
    bit: 1n << 11n,
    why: 'status messages, the finished video, the Remix / Delete offers',
    usedAt: [
      { file: 'adapters/discord/discord-surface.ts', call: 'channel.send(' },
      { file: 'adapters/discord/discord-surface.ts', call: 'channel.messages.edit(' },
      { file: 'adapters/discord/reactions.ts', call: 'channel.send(' },
    ],
  },
  SendMessagesInThreads: {
    name: 'Send Messages in Threads',
    bit: 1n << 38n,
    why: 'the same, when /sora is used inside a thread',
    usedAt: [{ file: 'adapters/discord/discord-surface.ts', call: 'channel.send(' }],
  },
  AttachFiles: {
    name: 'Attach Files',
    bit: 1n << 15n,
    why: 'uploading the MP4 (and the /sora usage chart)',
    usedAt: [
      { file: 'adapters/discord/discord-surface.ts', call: 'files: [{ attachment:' },
      { file: 'adapters/discord/render-usage.ts', call: 'files: [' },
    ],
  },
  EmbedLinks: {
    name: 'Embed Links',
    bit: 1n << 14n,
    why: 'the /sora usage summary (an embed)',
    usedAt: [{ file: 'adapters/discord/render-usage.ts', call: 'embeds: [embed]' }],
  },
  ReadMessageHistory: {
    name: 'Read Message History',
    bit: 1n << 16n,
    why: 'finding the video a reaction points at, and never posting a video twice after a restart',
    usedAt: [
      { file: 'adapters/discord/discord-surface.ts', call: 'channel.messages.fetch(' },
      { file: 'adapters/discord/reactions.ts', call: 'message.fetch()' },
    ],
  },
} as const satisfies Record<string, BotPermission>;

export type BotPermissionName = keyof typeof BOT_PERMISSIONS;

/** 274878024704 = 1024 + 2048 + 274877906944 + 32768 + 16384 + 65536. */
export const BOT_PERMISSIONS_INTEGER: bigint = Object.values(BOT_PERMISSIONS).reduce(
  (sum: bigint, permission: BotPermission) => sum | permission.bit,
  0n,
);

export function inviteUrl(applicationId: string): string {
  const query = new URLSearchParams({
    client_id: applicationId,
    scope: 'bot applications.commands',
    permissions: BOT_PERMISSIONS_INTEGER.toString(),
  });
  return `https://discord.com/oauth2/authorize?${query.toString()}`;
}
