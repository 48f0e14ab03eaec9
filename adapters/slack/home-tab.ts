/**
 * The App Home tab. On `app_home_opened` (tab `home`) the person's Home is published with
 * `views.publish`: their newest videos and what their budget leaves, read through the core's
 * `overview` port (one page of their own index, whatever their history). Its "New video" button opens
 * the same modal as `/sora` alone, aimed at the person's DM with the bot (the event names that DM), so
 * the video is posted there in a thread. The Home is published again when one of the person's videos
 * reaches an end (home-refresh.ts). https://docs.slack.dev/reference/events/app_home_opened
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { channelScope, slackRequester } from './conversation.js';
import type { SlackHandlerDeps } from './handler-context.js';
import type { HomeLinks } from './home-links.js';
import { HOME_ACTIONS, HOME_VIDEOS, homeView } from './home-view.js';
import { generateModal } from './modals.js';

const HomeOpenedSchema = z.object({
  user: z.string().regex(/^[UW][A-Z0-9]+$/),
  channel: z
    .string()
    .regex(/^D[A-Z0-9]+$/)
    .optional(),
  tab: z.string().optional(),
});
const EnvelopeSchema = z.object({ team_id: z.string().regex(/^[A-Z0-9]+$/) });
const DmChannelSchema = z.string().regex(/^D[A-Z0-9]+$/);

/** Publishes one person's Home; the DM id is remembered per person, for republishing later. */
export class HomePublisher {
  /** Who opened their Home in this process, with their DM: only they get republished. */
  private readonly opened = new Map<string, string | undefined>();

  constructor(
    private readonly deps: SlackHandlerDeps,
    private readonly links: HomeLinks,
    private readonly maxRemembered = 10_000,
  ) {}

  async publish(team: string, user: string, dmChannel: string | undefined): Promise<void> {
    const key = `${team}:${user}`;
    const dm = dmChannel ?? this.opened.get(key);
    this.opened.delete(key);
    this.opened.set(key, dm);
    if (this.opened.size > this.maxRemembered) this.opened.delete(this.opened.keys().next().value as string);
    const overview = await this.deps.core.overview(slackRequester({ team, user }), HOME_VIDEOS);
    const links = await this.links.forJobs(overview.jobs);
    await this.deps.slack.call('views.publish', {
      user_id: user,
      view: homeView({ overview, dmChannel: dm, links }),
    });
  }

  /** Publishes again for someone whose Home this process has shown (a video of theirs changed). */
  async refresh(team: string, user: string): Promise<void> {
    if (!this.opened.has(`${team}:${user}`)) return;
    await this.publish(team, user, undefined);
  }
}

export function registerHomeTab(app: App, deps: SlackHandlerDeps, home: HomePublisher): void {
  app.event('app_home_opened', async ({ event, body }) => {
    const opened = HomeOpenedSchema.safeParse(event);
    const envelope = EnvelopeSchema.safeParse(body);
    // The Messages and About tabs fire this event too; only the Home tab is ours to draw.
    if (!opened.success || !envelope.success || (opened.data.tab ?? 'home') !== 'home') return;
    try {
      await home.publish(envelope.data.team_id, opened.data.user, opened.data.channel);
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not publish the App Home');
    }
  });

  app.action<BlockAction<ButtonAction>>(HOME_ACTIONS.newVideo, async ({ ack, body, action }) => {
    await ack();
    const dm = DmChannelSchema.safeParse(action.value);
    const team = body.team?.id ?? body.user.team_id;
    if (!dm.success || !team) return;
    try {
      await deps.slack.call('views.open', {
        trigger_id: body.trigger_id,
        view: generateModal({
          capabilities: deps.core.capabilities,
          defaultModel: deps.core.defaultModel,
          estimate: (choice) => deps.core.estimateCost(choice),
          metadata: { c: channelScope(team, dm.data) },
        }),
      });
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not open the video modal from the Home');
    }
  });
}
