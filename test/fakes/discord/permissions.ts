/**
 * Permission bits the fake reasons about, and Discord's channel permission algorithm (base from roles,
 * then @everyone, role and member overwrites).
 * https://discord.com/developers/docs/topics/permissions#permission-overwrites
 */
export const Permission = {
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  UseApplicationCommands: 1n << 31n,
  CreatePublicThreads: 1n << 35n,
  SendMessagesInThreads: 1n << 38n,
  Administrator: 1n << 3n,
} as const;

/** What a bot invited with the scopes the Sora bot asks for gets. */
export const DEFAULT_BOT_PERMISSIONS =
  Permission.AddReactions |
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.ReadMessageHistory |
  Permission.UseApplicationCommands |
  Permission.CreatePublicThreads |
  Permission.SendMessagesInThreads;

/** @everyone in a fresh guild: can talk and use commands. */
export const DEFAULT_EVERYONE_PERMISSIONS =
  Permission.AddReactions |
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.ReadMessageHistory |
  Permission.UseApplicationCommands |
  Permission.CreatePublicThreads |
  Permission.SendMessagesInThreads;

export interface Overwrite {
  id: string;
  /** 0 = role, 1 = member */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export function channelPermissions(input: {
  guildId: string;
  rolePermissions: Map<string, bigint>;
  memberRoleIds: string[];
  memberId: string;
  overwrites: Overwrite[];
}): bigint {
  let base = input.rolePermissions.get(input.guildId) ?? 0n;
  for (const roleId of input.memberRoleIds) base |= input.rolePermissions.get(roleId) ?? 0n;
  if (base & Permission.Administrator) return ~0n & ((1n << 53n) - 1n);
  const apply = (o: Overwrite | undefined): void => {
    if (!o) return;
    base = (base & ~o.deny) | o.allow;
  };
  apply(input.overwrites.find((o) => o.id === input.guildId));
  let roleAllow = 0n;
  let roleDeny = 0n;
  for (const o of input.overwrites) {
    if (o.type === 0 && o.id !== input.guildId && input.memberRoleIds.includes(o.id)) {
      roleAllow |= o.allow;
      roleDeny |= o.deny;
    }
  }
  base = (base & ~roleDeny) | roleAllow;
  apply(input.overwrites.find((o) => o.type === 1 && o.id === input.memberId));
  return base;
}
