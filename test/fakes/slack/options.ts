import { z } from 'zod';

/**
 * Configuration of one fake Slack workspace. Every field has a default so that `startFakeSlack()` works
 * without arguments; tests override what they need. IDs follow Slack's shapes (T…, U…, B…, A…, C…) so that
 * code which pattern-matches IDs behaves as it would against the real platform.
 */
const channelSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  /** public = C… channel, private = private channel (G… or C…), im = DM with one user, mpim = group DM. */
  kind: z.enum(['public', 'private', 'im', 'mpim']).default('public'),
  /** Whether the bot user is a member: decides between ok, not_in_channel and channel_not_found. */
  botIsMember: z.boolean().default(true),
  /** For an im: the human on the other end. */
  imUser: z.string().optional(),
});

const userSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  realName: z.string().optional(),
  isAdmin: z.boolean().default(false),
  isOwner: z.boolean().default(false),
  isPrimaryOwner: z.boolean().default(false),
  isBot: z.boolean().default(false),
  deleted: z.boolean().default(false),
});

/**
 * Upload policy of the workspace. Real workspaces can restrict uploads: files.completeUploadExternal then
 * answers `file_upload_size_restricted` or `file_uploads_disabled` (see docs/platforms.md, "Uploading").
 */
const uploadPolicySchema = z.object({
  disabled: z.boolean().default(false),
  maxBytes: z.number().int().positive().optional(),
  /**
   * Sharing a completed upload into the channel is asynchronous on real Slack: 'immediate' posts the file
   * message at once, a number delays it by that many ms, 'silently-fail' answers ok but never shares.
   */
  share: z
    .union([z.literal('immediate'), z.literal('silently-fail'), z.number().int().nonnegative()])
    .default('immediate'),
});

export const fakeSlackOptionsSchema = z.object({
  botToken: z.string().startsWith('xoxb-').default('xoxb-0000000001-fake-bot-token'),
  appToken: z.string().startsWith('xapp-').default('xapp-1-A0FAKEAPP01-fake-app-token'),
  signingSecret: z.string().min(1).default('fake-signing-secret-0123456789abcdef'),
  teamId: z.string().default('T0FAKETEAM1'),
  teamDomain: z.string().default('fake-workspace'),
  teamName: z.string().default('Fake Workspace'),
  appId: z.string().default('A0FAKEAPP01'),
  botUserId: z.string().default('U0FAKEBOT01'),
  botId: z.string().default('B0FAKEBOT01'),
  botName: z.string().default('sora'),
  /** Scopes reported in the `x-oauth-scopes` response header (bot token calls). */
  scopes: z
    .array(z.string())
    .default([
      'commands',
      'chat:write',
      'files:write',
      'files:read',
      'reactions:read',
      'channels:history',
      'groups:history',
      'im:history',
      'app_mentions:read',
      'users:read',
      'channels:read',
      'groups:read',
    ]),
  channels: z
    .array(channelSchema)
    .default([{ id: 'C0GENERAL01', name: 'general', kind: 'public', botIsMember: true }]),
  users: z.array(userSchema).default([
    {
      id: 'U0ALICE0001',
      name: 'alice',
      isAdmin: false,
      isOwner: false,
      isPrimaryOwner: false,
      isBot: false,
      deleted: false,
    },
    {
      id: 'U0ADMIN0001',
      name: 'root',
      isAdmin: true,
      isOwner: true,
      isPrimaryOwner: false,
      isBot: false,
      deleted: false,
    },
  ]),
  uploads: uploadPolicySchema.default({ disabled: false, share: 'immediate' }),
  /** `views.open`/`views.push` accept a trigger_id for this long after it was issued (Slack: 3 s). */
  triggerTtlMs: z.number().int().positive().default(3000),
  /** A response_url accepts this many posts (Slack: 5 within 30 minutes). */
  responseUrlMaxUses: z.number().int().positive().default(5),
  /** When > 0, the Socket Mode server pings each connection at this interval (real Slack pings regularly). */
  socketPingIntervalMs: z.number().int().nonnegative().default(0),
  /**
   * Keep the bytes POSTed to upload URLs (tests read them back). Benchmarks that push gigabytes turn it
   * off: raw bodies are then counted while streaming and dropped, so the fake's memory stays flat.
   */
  retainUploadBytes: z.boolean().default(true),
  /** How long socket-mode delivery waits for an ack (and for a connection) before rejecting. */
  ackTimeoutMs: z.number().int().positive().default(5000),
});

export type FakeSlackOptions = z.input<typeof fakeSlackOptionsSchema>;
export type ResolvedFakeSlackOptions = z.output<typeof fakeSlackOptionsSchema>;
export type ChannelConfig = z.input<typeof channelSchema>;
export type ChannelRecord = z.output<typeof channelSchema>;
export type UserConfig = z.input<typeof userSchema>;
export type UserRecord = z.output<typeof userSchema>;
export type UploadPolicy = z.output<typeof uploadPolicySchema>;

export const channelConfigSchema = channelSchema;
export const userConfigSchema = userSchema;
export const uploadPolicyConfigSchema = uploadPolicySchema;
