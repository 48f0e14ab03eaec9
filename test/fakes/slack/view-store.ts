import { SlackApiFailure } from './slack-api-failure.js';
import type { SlackIdFactory } from './slack-ids.js';

/** A modal as Slack returns it from views.open / update / push. */
export type StoredView = Record<string, unknown> & { id: string; hash: string; callback_id: string };

/** Slack's documented modal limits (platforms.md, "Modals"): checked so an adapter bug fails in tests. */
const titleLimit = 24;
const blockLimit = 100;
const privateMetadataLimit = 3000;

/**
 * trigger_ids and modals. A trigger_id works once, for `triggerTtlMs` after it was issued (Slack: 3 s);
 * afterwards views.open answers `expired_trigger_id`, and a reused one `exchanged_trigger_id`.
 */
export class ViewStore {
  private readonly views = new Map<string, StoredView>();
  private readonly triggers = new Map<string, { issuedAtMs: number; used: boolean }>();

  constructor(
    private readonly ids: SlackIdFactory,
    private readonly now: () => number,
    private readonly identity: { teamId: string; appId: string; botId: string },
    private readonly triggerTtlMs: number,
  ) {}

  issueTrigger(): string {
    const triggerId = this.ids.nextTriggerId();
    this.triggers.set(triggerId, { issuedAtMs: this.now(), used: false });
    return triggerId;
  }

  consumeTrigger(triggerId: unknown): void {
    if (typeof triggerId !== 'string' || triggerId === '') throw new SlackApiFailure('invalid_arguments');
    const trigger = this.triggers.get(triggerId);
    if (trigger === undefined) throw new SlackApiFailure('invalid_trigger_id');
    if (trigger.used) throw new SlackApiFailure('exchanged_trigger_id');
    if (this.now() - trigger.issuedAtMs > this.triggerTtlMs) throw new SlackApiFailure('expired_trigger_id');
    trigger.used = true;
  }

  get(id: string): StoredView | undefined {
    return this.views.get(id);
  }

  all(): StoredView[] {
    return [...this.views.values()];
  }

  open(view: unknown, previous?: StoredView): StoredView {
    const definition = validateView(view);
    const id = this.ids.next('V');
    const stored: StoredView = {
      ...definition,
      id,
      team_id: this.identity.teamId,
      state: { values: {} },
      hash: this.newHash(),
      callback_id: typeof definition.callback_id === 'string' ? definition.callback_id : '',
      private_metadata: typeof definition.private_metadata === 'string' ? definition.private_metadata : '',
      external_id: typeof definition.external_id === 'string' ? definition.external_id : '',
      root_view_id: previous === undefined ? id : (previous.root_view_id as string),
      previous_view_id: previous === undefined ? null : previous.id,
      app_id: this.identity.appId,
      app_installed_team_id: this.identity.teamId,
      bot_id: this.identity.botId,
    };
    this.views.set(id, stored);
    return stored;
  }

  update(args: { view_id?: unknown; external_id?: unknown; hash?: unknown; view: unknown }): StoredView {
    const current =
      typeof args.view_id === 'string'
        ? this.views.get(args.view_id)
        : [...this.views.values()].find((v) => v.external_id === args.external_id && args.external_id !== '');
    if (current === undefined) throw new SlackApiFailure('not_found');
    if (typeof args.hash === 'string' && args.hash !== current.hash)
      throw new SlackApiFailure('hash_conflict');
    const definition = validateView(args.view);
    const updated: StoredView = {
      ...current,
      ...definition,
      id: current.id,
      hash: this.newHash(),
      callback_id: typeof definition.callback_id === 'string' ? definition.callback_id : current.callback_id,
    };
    this.views.set(current.id, updated);
    return updated;
  }

  private newHash(): string {
    return `${Math.floor(this.now() / 1000)}.${this.ids.next('h').slice(1)}`;
  }
}

function validateView(view: unknown): Record<string, unknown> {
  if (typeof view !== 'object' || view === null) throw new SlackApiFailure('invalid_arguments');
  const definition = view as Record<string, unknown>;
  const problems: string[] = [];
  if (definition.type !== 'modal' && definition.type !== 'home')
    problems.push('[ERROR] must be a modal view');
  for (const key of ['title', 'submit', 'close'] as const) {
    const text = (definition[key] as { text?: unknown } | undefined)?.text;
    if (typeof text === 'string' && text.length > titleLimit) {
      problems.push(
        `[ERROR] must be less than ${titleLimit + 1} characters [json-pointer:/view/${key}/text]`,
      );
    }
  }
  if (definition.type === 'modal' && definition.title === undefined) problems.push('[ERROR] missing title');
  if (!Array.isArray(definition.blocks)) problems.push('[ERROR] missing required field: blocks');
  else if (definition.blocks.length > blockLimit)
    problems.push(`[ERROR] no more than ${blockLimit} items allowed`);
  const metadata = definition.private_metadata;
  if (typeof metadata === 'string' && metadata.length > privateMetadataLimit) {
    problems.push(
      `[ERROR] must be less than ${privateMetadataLimit + 1} characters [json-pointer:/view/private_metadata]`,
    );
  }
  if (problems.length > 0)
    throw new SlackApiFailure('invalid_arguments', { response_metadata: { messages: problems } });
  return definition;
}
