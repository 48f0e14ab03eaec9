/**
 * The workspaces the app is installed in (OAuth mode), kept in the adapter's records on the bot's one
 * store (`values`), so every replica, on SQLite or Redis, reads the same installs and a restart finds
 * them again. Each record keeps the workspace id in the clear (to find it) and the whole Installation
 * Slack gave us, tokens included, sealed with AES-256-GCM (token-cipher.ts): nothing readable at rest.
 * It is @slack/oauth's InstallationStore, so InstallProvider stores through it and authorizes with it.
 */
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { z } from 'zod';
import type { KeyValues } from '../../src/store/key-values.js';
import type { TokenCipher } from './token-cipher.js';

/** Stable codes of what this store refuses; the OAuth pages and the logs read these. */
export type InstallationErrorCode = 'not_installed' | 'enterprise_install_unsupported' | 'no_bot_token';

export class InstallationError extends Error {
  override readonly name = 'InstallationError';
  constructor(
    readonly code: InstallationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const RecordSchema = z.object({
  v: z.literal(1),
  teamId: z.string().min(1),
  installedAt: z.number(),
  /** The Installation as JSON, sealed for this team id. */
  sealed: z.string().min(1),
});
type InstallationRecord = z.infer<typeof RecordSchema>;

/** What the bot needs of an Installation; the rest passes through untouched for InstallProvider. */
const OpenedSchema = z
  .object({
    team: z.object({ id: z.string().min(1) }).passthrough(),
    bot: z
      .object({ token: z.string().min(1), userId: z.string().optional(), id: z.string().optional() })
      .passthrough(),
  })
  .passthrough();

const INDEX = 'installations';
const recordKey = (team: string) => `installation:${team}`;

export interface InstalledWorkspace {
  teamId: string;
  botToken: string;
  botUserId: string | undefined;
}

export class SlackInstallations implements InstallationStore {
  constructor(
    private readonly values: KeyValues,
    private readonly cipher: TokenCipher,
    private readonly now: () => number,
  ) {}

  async storeInstallation(installation: Installation): Promise<void> {
    // An org-wide (Enterprise Grid) install has no team: every job and budget here is per workspace.
    const teamId = installation.team?.id;
    if (installation.isEnterpriseInstall || !teamId)
      throw new InstallationError(
        'enterprise_install_unsupported',
        'org-wide installs are not supported: install the app into each workspace',
      );
    if (!installation.bot?.token)
      throw new InstallationError('no_bot_token', 'the install gave no bot token (no bot scopes asked?)');
    const installedAt = this.now();
    const record: InstallationRecord = {
      v: 1,
      teamId,
      installedAt,
      sealed: this.cipher.seal(JSON.stringify(installation), teamId),
    };
    await this.values.set(recordKey(teamId), record);
    await this.values.indexAdd(INDEX, teamId, installedAt);
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const teamId = query.teamId;
    if (!teamId)
      throw new InstallationError('enterprise_install_unsupported', 'org-wide installs are not supported');
    const opened = await this.open(teamId);
    if (!opened) throw new InstallationError('not_installed', `the app is not installed in ${teamId}`);
    return opened as unknown as Installation;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    if (query.teamId) await this.remove(query.teamId);
  }

  /** The workspace's bot token and user, or undefined when the app is not installed there. */
  async workspace(teamId: string): Promise<InstalledWorkspace | undefined> {
    const opened = await this.open(teamId);
    return opened ? { teamId, botToken: opened.bot.token, botUserId: opened.bot.userId } : undefined;
  }

  async remove(teamId: string): Promise<void> {
    await this.values.delete(recordKey(teamId));
    await this.values.indexRemove(INDEX, teamId);
  }

  /** How many workspaces have the app (the start line and doctor say it). */
  count(): Promise<number> {
    return this.values.indexCount(INDEX);
  }

  private async open(teamId: string): Promise<z.infer<typeof OpenedSchema> | undefined> {
    const parsed = RecordSchema.safeParse(await this.values.get(recordKey(teamId)));
    if (!parsed.success || parsed.data.teamId !== teamId) return undefined;
    // A value that does not open (another SLACK_TOKEN_KEY) throws TokenCipherError: a configuration
    // problem to report, not a workspace to treat as uninstalled.
    const opened = OpenedSchema.safeParse(JSON.parse(this.cipher.open(parsed.data.sealed, teamId)));
    return opened.success ? opened.data : undefined;
  }
}
