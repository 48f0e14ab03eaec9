/**
 * Where the bot token may go with a file download. A file's `url_private` is data from a message:
 * for a remote or external file (Google Drive, Dropbox, a remote file added with files.remote.add)
 * Slack documents it as pointing at any host (https://api.slack.com/types/file), so sending
 * `Authorization: Bearer xoxb-…` wherever it says hands the token to whoever runs that host.
 *
 * Allowed: https on the default port to Slack's own file hosts (commercial Slack and GovSlack, which
 * runs on slack-gov.com), plus the exact origin of SLACK_API_URL when it is set. That origin is the one
 * every Web API call already sends the token to (GovSlack, a proxy, the tests' fake Slack on
 * http://127.0.0.1:PORT), so trusting it adds no new recipient. Hosts are compared exactly: no suffix
 * match, so `files.slack.com.example.net` and `evil.example/?files.slack.com` are foreign.
 */

/**
 * Slack's file hosts. `files.slack.com` serves `url_private(_download)`; it may answer with a redirect
 * to `files-origin.slack.com`. GovSlack's files live on `files.slack-gov.com`; its `files-origin`
 * counterpart is listed by analogy (same operator, same domain), not from a document.
 */
export const SLACK_FILE_HOSTS: readonly string[] = [
  'files.slack.com',
  'files-origin.slack.com',
  'files.slack-gov.com',
  'files-origin.slack-gov.com',
];

export class FileHostPolicy {
  private readonly hosts: ReadonlySet<string>;
  private readonly apiOrigin: string | undefined;

  constructor(options: { slackApiUrl?: string | undefined; extraHosts?: readonly string[] } = {}) {
    this.hosts = new Set([...SLACK_FILE_HOSTS, ...(options.extraHosts ?? [])].map((h) => h.toLowerCase()));
    this.apiOrigin = options.slackApiUrl ? originOf(options.slackApiUrl) : undefined;
  }

  /** True when the bot token may be sent to this URL. */
  mayCarryToken(url: string | URL): boolean {
    let parsed: URL;
    try {
      parsed = typeof url === 'string' ? new URL(url) : url;
    } catch {
      return false;
    }
    // Credentials in the URL would go out as a second Authorization: never ours to send.
    if (parsed.username || parsed.password) return false;
    if (this.apiOrigin !== undefined && parsed.origin === this.apiOrigin) return true;
    return parsed.protocol === 'https:' && parsed.port === '' && this.hosts.has(parsed.hostname);
  }
}

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    // `null` for schemes without an origin (data:, file:): nothing to allow.
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
