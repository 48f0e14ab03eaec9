/**
 * `sora-bot doctor` for Discord: the bot token is accepted (GET /users/@me), DISCORD_APPLICATION_ID is
 * this token's application (GET /applications/@me), and the commands are registered (globally; a
 * guild-only registration is reported as a hint, since the doctor cannot know the guild). Plain
 * fetch and zod, so `sora-bot doctor` never loads discord.js.
 */
import { z } from 'zod';
import { type DoctorCheck, type DoctorOutcome, ok, problem, skipped } from '../../src/cli/doctor.js';
import { inviteUrl } from './invite.js';

const DEFAULT_API = 'https://discord.com/api';
const TIMEOUT_MS = 15_000;
const RESET_TOKEN =
  'copy the token from discord.com/developers/applications > your app > Bot > Reset Token into DISCORD_TOKEN';

const UserSchema = z.object({ id: z.string(), username: z.string(), bot: z.boolean().optional() });
const ApplicationSchema = z.object({ id: z.string(), name: z.string() });
const CommandsSchema = z.array(z.object({ name: z.string(), type: z.number().optional() }));

type Answer = { ok: true; body: unknown } | { ok: false; status: number };

async function get(api: string, path: string, token: string): Promise<Answer> {
  const response = await fetch(`${api}/v10${path}`, {
    headers: { authorization: `Bot ${token}`, 'user-agent': 'DiscordBot (sora-bot doctor, 1)' },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) return { ok: false, status: response.status };
  return { ok: true, body: await response.json() };
}

export async function checkDiscord(input: {
  token: string;
  applicationId: string | undefined;
  apiUrl: string | undefined;
}): Promise<DoctorOutcome> {
  const api = input.apiUrl ?? DEFAULT_API;
  let me: Answer;
  try {
    me = await get(api, '/users/@me', input.token);
  } catch (error) {
    return problem(
      `could not reach Discord at ${api} (${error instanceof Error ? error.message : String(error)})`,
      'check your network and proxy, and DISCORD_API_URL if you set it',
    );
  }
  if (!me.ok)
    return me.status === 401
      ? problem('Discord refused DISCORD_TOKEN (401)', RESET_TOKEN)
      : problem(
          `Discord answered ${me.status} to the token check`,
          'try again later; check DISCORD_API_URL if you set it',
        );
  const user = UserSchema.safeParse(me.body);
  if (!user.success)
    return problem('Discord answered the token check with something unexpected', 'check DISCORD_API_URL');
  const app = await get(api, '/applications/@me', input.token);
  const application = app.ok ? ApplicationSchema.safeParse(app.body) : undefined;
  if (!application?.success)
    return problem(
      'could not read the application of DISCORD_TOKEN',
      'check that DISCORD_TOKEN is a bot token',
    );
  if (input.applicationId !== application.data.id)
    return problem(
      `DISCORD_APPLICATION_ID is ${input.applicationId ?? 'unset'} but the token belongs to application ${application.data.id}`,
      `set DISCORD_APPLICATION_ID=${application.data.id} (Developer Portal > General Information > Application ID)`,
    );
  const commands = await get(api, `/applications/${application.data.id}/commands`, input.token);
  const names = commands.ok ? (CommandsSchema.safeParse(commands.body).data ?? []).map((c) => c.name) : [];
  const registered = names.includes('sora')
    ? 'commands registered globally'
    : 'no global /sora command (fine if you registered it for one server with --guild; otherwise run sora-bot discord register)';
  return ok(
    `@${user.data.username} of "${application.data.name}" (${application.data.id}); ${registered}; invite: ${inviteUrl(application.data.id)}`,
  );
}

export const discordCheck: DoctorCheck = {
  name: 'discord',
  needsConfig: true,
  async run({ config }) {
    const c = config!;
    if (!c.DISCORD_TOKEN) return skipped('DISCORD_TOKEN is not set (Discord is off)');
    return checkDiscord({
      token: c.DISCORD_TOKEN,
      applicationId: c.DISCORD_APPLICATION_ID,
      apiUrl: c.DISCORD_API_URL,
    });
  },
};

export const DISCORD_DOCTOR_CHECKS: readonly DoctorCheck[] = [discordCheck];
