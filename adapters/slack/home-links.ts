/**
 * Links from the Home to each video's message. Slack names a message's URL with `chat.getPermalink`
 * (no scope needed; the documented way, rather than building `/archives/…` URLs by hand):
 * https://docs.slack.dev/reference/methods/chat.getPermalink. A permalink never changes, so each is
 * asked once and kept (bounded); the shown videos are asked for together, so a Home costs one round trip.
 * A link Slack will not give (a message deleted, a channel the bot left) is simply not shown.
 */
import { z } from 'zod';
import type { Logger } from '../../src/core/logger.js';
import { LruMap } from '../../src/core/lru-map.js';
import type { OverviewJob } from '../../src/core/person-overview.js';
import { decodeMessageRef } from './conversation.js';
import type { SlackApi } from './slack-api.js';

const PermalinkSchema = z.object({ permalink: z.string().url() });
const CACHE_SIZE = 20_000;

export class HomeLinks {
  private readonly cache = new LruMap<string, string>(CACHE_SIZE);

  constructor(
    private readonly slack: SlackApi,
    private readonly logger: Logger,
  ) {}

  /** Permalinks by job id: the video's message once delivered, else the status message. */
  async forJobs(jobs: readonly OverviewJob[]): Promise<Map<string, string>> {
    const found = await Promise.all(
      jobs.map(async (j) => {
        const ref = j.job.state === 'delivered' ? (j.deliveredRef ?? j.statusRef) : j.statusRef;
        const url = ref ? await this.permalink(ref) : undefined;
        return [j.job.id, url] as const;
      }),
    );
    return new Map(found.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
  }

  private async permalink(ref: string): Promise<string | undefined> {
    const cached = this.cache.get(ref);
    if (cached) return cached;
    const at = decodeMessageRef(ref);
    if (!at) return undefined;
    try {
      const answer = PermalinkSchema.safeParse(
        await this.slack.call('chat.getPermalink', { channel: at.channel, message_ts: at.ts }),
      );
      if (!answer.success) return undefined;
      this.cache.set(ref, answer.data.permalink);
      return answer.data.permalink;
    } catch (error) {
      this.logger.debug({ err: error, ref }, 'no permalink for a video on the Home');
      return undefined;
    }
  }
}
