/**
 * Who is an admin for the bot on Discord: a member with **Manage Server** in the guild (Administrator
 * includes it), read from their roles, i.e. guild-level. Never a channel's permission overwrites: an
 * admin may delete videos in every channel, approve spending and set the server's budgets, so a right
 * granted in one channel (Manage Messages in #art, say) must not reach the rest of the server. Manage
 * Server is Discord's permission for changing the server's own settings, which is what a budget is.
 * Moderators without it are listed in SORA_ADMINS (`discord:USER_ID`), which the core adds on top.
 *
 * `interaction.memberPermissions` (the permissions Discord sends with an interaction) are the
 * member's permissions *in that channel*, overwrites included, so they are not used here.
 */
import { type Guild, GuildMember, type Interaction, PermissionFlagsBits } from 'discord.js';

/** The one permission that makes a Discord member an admin of the bot. */
export const ADMIN_PERMISSION = PermissionFlagsBits.ManageGuild;

/** Guild-level: roles (and ownership), no channel. `has` counts Administrator as every permission. */
export function isGuildAdmin(member: GuildMember | null | undefined): boolean {
  return member?.permissions.has(ADMIN_PERMISSION) ?? false;
}

/**
 * The interaction's member, when discord.js could attach it to its cached guild (the Guilds intent
 * caches every guild the bot is in, with its roles). Without the guild there is no way to tell guild-level
 * rights from the payload's channel-level ones, so such a member is not an admin.
 */
export function interactionIsAdmin(interaction: Interaction): boolean {
  return interaction.member instanceof GuildMember && isGuildAdmin(interaction.member);
}

/** A member of a guild, from the cache or fetched; undefined when not a member (or the fetch fails). */
export async function memberOf(
  guild: Guild | null | undefined,
  userId: string,
): Promise<GuildMember | undefined> {
  if (!guild) return undefined;
  return guild.members.cache.get(userId) ?? (await guild.members.fetch(userId).catch(() => undefined));
}
