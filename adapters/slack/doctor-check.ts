/**
 * `sora-bot doctor` for Slack: the bot token is accepted (auth.test) and carries every scope in
 * manifest.yml (Slack reports a token's scopes in the `x-oauth-scopes` header, which @slack/web-api
 * exposes as response_metadata.scopes), and the app-level token can open a Socket Mode connection.
 */
import { webApi } from '@slack/bolt';
import { type DoctorCheck, ok, problem, skipped } from '../../src/cli/doctor.js';
import { SLACK_APP_REQUIREMENTS } from './app-requirements.js';

const REINSTALL =
  'in api.slack.com/apps > your app > OAuth & Permissions, add the scopes from manifest.yml, then reinstall the app and copy the new Bot User OAuth Token into SLACK_BOT_TOKEN';

function client(token: string, slackApiUrl: string | undefined): webApi.WebClient {
  return new webApi.WebClient(token, {
    ...(slackApiUrl ? { slackApiUrl: slackApiUrl.endsWith('/') ? slackApiUrl : `${slackApiUrl}/` } : {}),
    retryConfig: { retries: 0 },
    timeout: 15_000,
    logLevel: webApi.LogLevel.ERROR,
  });
}

function errorCode(error: unknown): string {
  if (error instanceof Error && (error as { code?: unknown }).code === webApi.ErrorCode.PlatformError)
    return (error as webApi.WebAPIPlatformError).data.error;
  return error instanceof Error ? error.message.slice(0, 200) : String(error);
}

/** One check (one line in the doctor's output): the bot token and its scopes, then the connection mode. */
export const slackCheck: DoctorCheck = {
  name: 'slack',
  needsConfig: true,
  async run({ config }) {
    const c = config!;
    if (!c.SLACK_BOT_TOKEN)
      return skipped(
        c.SLACK_CLIENT_ID
          ? 'OAuth installs (SLACK_CLIENT_ID): each workspace gets its token when it installs at /slack/install'
          : 'SLACK_BOT_TOKEN is not set (Slack is off)',
      );
    if (!c.SLACK_BOT_TOKEN.startsWith('xoxb-'))
      return problem('SLACK_BOT_TOKEN is not a bot token (it should start with xoxb-)', REINSTALL);
    let result: webApi.AuthTestResponse;
    try {
      result = await client(c.SLACK_BOT_TOKEN, c.SLACK_API_URL).auth.test();
    } catch (error) {
      const code = errorCode(error);
      return problem(
        `Slack refused the bot token (${code})`,
        code === 'invalid_auth' || code === 'token_revoked' || code === 'account_inactive'
          ? 'copy the Bot User OAuth Token (xoxb-...) from api.slack.com/apps > your app > OAuth & Permissions into SLACK_BOT_TOKEN'
          : 'check your network, and SLACK_API_URL if you set it',
      );
    }
    const granted = new Set(result.response_metadata?.scopes ?? []);
    const missing = SLACK_APP_REQUIREMENTS.scopes.filter((s) => !granted.has(s));
    if (missing.length > 0)
      return problem(
        `the bot token lacks the scope${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
        REINSTALL,
      );
    const who = `@${result.user} in ${result.team} (${result.team_id}), every scope granted`;
    if (!c.SLACK_APP_TOKEN)
      return ok(`${who}; HTTP mode (POST /slack/events, signed with SLACK_SIGNING_SECRET)`);
    if (!c.SLACK_APP_TOKEN.startsWith('xapp-'))
      return problem(
        'SLACK_APP_TOKEN is not an app-level token (it should start with xapp-)',
        'create one under Basic Information > App-Level Tokens with the connections:write scope',
      );
    try {
      // A single-use Socket Mode URL that is never connected to: proves the token and that Socket Mode is on.
      await client(c.SLACK_APP_TOKEN, c.SLACK_API_URL).apps.connections.open();
    } catch (error) {
      return problem(
        `Slack refused the app-level token (${errorCode(error)})`,
        'turn on Socket Mode (Settings > Socket Mode) and create an app-level token with connections:write in SLACK_APP_TOKEN',
      );
    }
    return ok(`${who}; Socket Mode`);
  },
};

export const SLACK_DOCTOR_CHECKS: readonly DoctorCheck[] = [slackCheck];
