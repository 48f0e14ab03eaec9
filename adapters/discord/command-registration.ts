/**
 * `sora-bot discord register [--clear] [--guild ID]`: registers the command set (or, with --clear,
 * removes every command of the bot) with a bot-token REST client (no gateway connection). Globally,
 * commands can take a while to appear in (or leave) every server; for one guild the change is
 * immediate, which is what to use while testing.
 */
import { DiscordAPIError, REST, RESTJSONErrorCodes, Routes } from 'discord.js';
import type { ProviderCapabilities } from '../../src/sora/capabilities.js';
import { discordRequest } from './client-factory.js';
import { registerCommands } from './command-definitions.js';
import { inviteUrl } from './invite.js';

export type RegistrationResult =
  | { ok: true; commands: { name: string; id: string }[]; scope: string; invite: string; cleared: boolean }
  | { ok: false; problem: string; fix: string };

export async function registerWithToken(input: {
  token: string;
  applicationId: string;
  apiUrl: string | undefined;
  guildId: string | undefined;
  capabilities: ProviderCapabilities;
  /** Remove every command of the bot in that scope instead of registering them. */
  clear?: boolean;
}): Promise<RegistrationResult> {
  const rest = new REST({
    version: '10',
    retries: 1,
    makeRequest: discordRequest,
    ...(input.apiUrl ? { api: input.apiUrl } : {}),
  }).setToken(input.token);
  try {
    const guild = input.guildId;
    if (input.clear) {
      // A bulk overwrite with nothing: one call removes them all, and repeating it is harmless.
      await rest.put(
        guild
          ? Routes.applicationGuildCommands(input.applicationId, guild)
          : Routes.applicationCommands(input.applicationId),
        { body: [] },
      );
      return {
        ok: true,
        commands: [],
        cleared: true,
        scope: guild ? `server ${guild} (gone now)` : 'every server (may take up to an hour to disappear)',
        invite: inviteUrl(input.applicationId),
      };
    }
    const commands = await registerCommands(rest, input);
    return {
      ok: true,
      commands,
      cleared: false,
      scope: guild ? `server ${guild} (available now)` : 'every server (may take up to an hour to appear)',
      invite: inviteUrl(input.applicationId),
    };
  } catch (error) {
    if (!(error instanceof DiscordAPIError)) throw error;
    if (error.status === 401)
      return {
        ok: false,
        problem: 'Discord refused DISCORD_TOKEN (401)',
        fix: 'copy the bot token again (Developer Portal > Bot > Reset Token)',
      };
    if (error.code === RESTJSONErrorCodes.UnknownGuild || error.code === RESTJSONErrorCodes.MissingAccess)
      return {
        ok: false,
        problem: `the bot cannot register commands in server ${input.guildId ?? '(global)'} (${error.code})`,
        fix: `invite the bot to that server with the applications.commands scope: ${inviteUrl(input.applicationId)}`,
      };
    if (error.status === 404)
      return {
        ok: false,
        problem: `Discord does not know application ${input.applicationId}`,
        fix: 'check DISCORD_APPLICATION_ID',
      };
    return {
      ok: false,
      problem: `Discord refused the commands: ${error.message}`,
      fix: 'report this as a bug in sora-bot',
    };
  }
}
