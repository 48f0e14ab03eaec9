/**
 * `sora-bot discord register [--clear] [--guild ID]`: registers the Discord commands (idempotent bulk
 * PUT) for the configured provider's options and prints the invite link, or with --clear removes
 * them (globally, or in one server). The adapter is imported on demand, so other commands never load
 * discord.js.
 */
import { capabilitiesFor } from '../sora/capabilities.js';
import { parseCommandArgs } from './args.js';
import { type CliIO, EXIT, type ExitCode } from './io.js';
import { loadCliConfig } from './load-config.js';

export const DISCORD_USAGE = 'usage: sora-bot discord register [--clear] [--guild SERVER_ID]';

export async function runDiscordCommand(args: string[], io: CliIO): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub !== 'register')
    return fail(io, sub ? `unknown discord command "${sub}"; ${DISCORD_USAGE}` : DISCORD_USAGE);
  const parsed = parseCommandArgs(rest, { guild: { type: 'string' }, clear: { type: 'boolean' } });
  if (!parsed.ok) return fail(io, parsed.message);
  if (parsed.value.positionals.length > 0) return fail(io, DISCORD_USAGE);
  const guildId = parsed.value.values.guild;
  if (guildId !== undefined && !/^\d{15,20}$/.test(guildId))
    return fail(
      io,
      `--guild expects a server id (a long number; Developer Mode > right-click the server > Copy Server ID), got "${guildId}"`,
    );
  const config = loadCliConfig();
  if (!config.ok) return fail(io, config.message);
  const { DISCORD_TOKEN: token, DISCORD_APPLICATION_ID: applicationId } = config.value;
  if (!token || !applicationId)
    return fail(io, 'set DISCORD_TOKEN and DISCORD_APPLICATION_ID first (README: Run it in Discord)');
  const { registerWithToken } = await import('../../adapters/discord/command-registration.js');
  const result = await registerWithToken({
    token,
    applicationId,
    apiUrl: config.value.DISCORD_API_URL,
    guildId,
    capabilities: capabilitiesFor(config.value.SORA_PROVIDER),
    clear: parsed.value.values.clear === true,
  });
  if (!result.ok) {
    io.err(`${result.problem}\nfix: ${result.fix}`);
    return EXIT.failed;
  }
  if (result.cleared) {
    io.out(`Removed the bot's commands from ${result.scope}.`);
    return EXIT.ok;
  }
  io.out(`Registered ${result.commands.map((c) => `"${c.name}"`).join(', ')} for ${result.scope}.`);
  io.out(`Invite the bot with: ${result.invite}`);
  return EXIT.ok;
}

function fail(io: CliIO, message: string): ExitCode {
  io.err(message);
  return EXIT.usage;
}
