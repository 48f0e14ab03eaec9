/**
 * What every Slack listener shares: the core, the Web API, dedupe of Slack's redeliveries, who is a
 * workspace admin, and how to tell one person something privately.
 */

import type { Logger } from '../../src/core/logger.js';
import { LruMap } from '../../src/core/lru-map.js';
import type { BotMessage } from '../../src/core/messages.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { SurfaceError } from '../../src/core/surface.js';
import type { KeyValues } from '../../src/store/key-values.js';
import { type Block, renderMessage } from './blocks.js';
import { slackRequester } from './conversation.js';
import type { SlackFileDownloader } from './file-download.js';
import type { SlackApi } from './slack-api.js';

export interface SlackHandlerDeps {
  core: SoraCore;
  slack: SlackApi;
  logger: Logger;
  remixEmoji: string;
  deleteEmoji: string;
  /** True the first time `key` is seen (Slack redelivers events and clicks; Bolt does not dedupe). */
  firstDelivery(key: string): Promise<boolean>;
  admins: AdminLookup;
  /** People's pictures: Slack's file hosts only, with timeouts and a byte cap (file-download.ts). */
  files: SlackFileDownloader;
}

/** A Bolt `respond` (response_url): works even where the bot is not a member. */
export type RespondFn = (message: Record<string, unknown>) => Promise<unknown>;

export interface PrivateTarget {
  channel: string;
  user: string;
  threadTs?: string | null | undefined;
  respond?: RespondFn | undefined;
}

const DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

/** Dedupe of Slack's redeliveries in the adapter's own records (`slack:once:seen:KEY`, kept a day). */
export function valuesDedupe(values: KeyValues): (key: string) => Promise<boolean> {
  return (key) => values.markOnce(`seen:${key}`, DEDUPE_TTL_MS);
}

/** Tells one person something: through the response_url when there is one, else ephemeral, else a DM. */
export async function tellPrivately(
  deps: SlackHandlerDeps,
  target: PrivateTarget,
  message: BotMessage | { text: string; blocks: Block[] },
): Promise<void> {
  const body = 'kind' in message ? renderMessage(message) : message;
  try {
    if (target.respond) {
      await target.respond({ response_type: 'ephemeral', replace_original: false, ...body });
      return;
    }
    await deps.slack.call('chat.postEphemeral', {
      channel: target.channel,
      user: target.user,
      ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
      ...body,
    });
  } catch (error) {
    if (!(error instanceof SurfaceError && error.code === 'not_in_channel') && target.respond === undefined) {
      deps.logger.warn({ err: error }, 'could not answer privately');
      return;
    }
    // Not in that channel (or the response_url expired): a DM always works with chat:write.
    try {
      await deps.slack.call('chat.postMessage', { channel: target.user, ...body });
    } catch (dmError) {
      deps.logger.warn({ err: dmError }, 'could not answer privately, not even by DM');
    }
  }
}

/**
 * Workspace admins and owners count as admins for deleting (users.info, cached for ten minutes);
 * SORA_ADMINS is added by the core. Without `users:read` nobody is a Slack admin, which is safe.
 */
export class AdminLookup {
  /** Bounded: every person of every workspace passes through here over time. */
  private readonly cache = new LruMap<string, { isAdmin: boolean; at: number }>(10_000);

  constructor(
    private readonly slack: SlackApi,
    private readonly ttlMs = 10 * 60 * 1000,
  ) {}

  async isAdmin(team: string, user: string): Promise<boolean> {
    const key = `${team}:${user}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.isAdmin;
    let isAdmin = false;
    try {
      const result = await this.slack.call('users.info', { user });
      const info = result.user as { is_admin?: boolean; is_owner?: boolean } | undefined;
      isAdmin = Boolean(info?.is_admin || info?.is_owner);
    } catch {
      isAdmin = false;
    }
    this.cache.set(key, { isAdmin, at: Date.now() });
    return isAdmin;
  }
}

export async function requesterWithAdmin(
  deps: SlackHandlerDeps,
  input: { team: string; user: string; userName?: string | undefined },
) {
  return slackRequester({ ...input, isAdmin: await deps.admins.isAdmin(input.team, input.user) });
}

/**
 * Runs the slow part of a listener (after the ack): an unexpected failure is logged and the person
 * hears that something went wrong, instead of silence.
 */
export async function answeringFailures(
  deps: SlackHandlerDeps,
  target: PrivateTarget,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.logger.error({ err: error }, 'a Slack request failed');
    await tellPrivately(deps, target, {
      kind: 'notice',
      tone: 'error',
      text: 'Something went wrong on my side and nothing was started. Try again in a minute.',
    });
  }
}
