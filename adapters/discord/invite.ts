/**
 * The invite link with exactly the permissions the bot uses: View Channel, Send Messages, Send
 * Messages in Threads, Attach Files, Embed Links, Read Message History (findDelivery, reacted
 * messages) and Add Reactions. Scopes `bot` and `applications.commands` (slash commands, menus).
 *
 * Permission bits (https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags),
 * written out so that `sora-bot doctor` needs no discord.js; a test compares them with discord.js's
 * PermissionFlagsBits.
 */
const Bits = {
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  SendMessagesInThreads: 1n << 38n,
} as const;

export const BOT_PERMISSIONS: readonly (readonly [string, bigint])[] = [
  ['View Channel', Bits.ViewChannel],
  ['Send Messages', Bits.SendMessages],
  ['Send Messages in Threads', Bits.SendMessagesInThreads],
  ['Attach Files', Bits.AttachFiles],
  ['Embed Links', Bits.EmbedLinks],
  ['Read Message History', Bits.ReadMessageHistory],
  ['Add Reactions', Bits.AddReactions],
];

/** 274878024768 = 1024 + 2048 + 274877906944 + 32768 + 16384 + 65536 + 64. */
export const BOT_PERMISSIONS_INTEGER: bigint = BOT_PERMISSIONS.reduce((sum, [, bit]) => sum | bit, 0n);

export function inviteUrl(applicationId: string): string {
  const query = new URLSearchParams({
    client_id: applicationId,
    scope: 'bot applications.commands',
    permissions: BOT_PERMISSIONS_INTEGER.toString(),
  });
  return `https://discord.com/oauth2/authorize?${query.toString()}`;
}
