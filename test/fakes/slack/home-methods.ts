/**
 * The App Home surface of the fake: `views.publish` (one Home view per user, validated as Slack does)
 * and `chat.getPermalink` (the links a Home shows). The Home store hangs off the workspace state, so
 * the method table stays a plain map like the others.
 * https://docs.slack.dev/reference/methods/views.publish · https://docs.slack.dev/reference/methods/chat.getPermalink
 */
import { optionalJson, optionalString, requiredString } from './method-args.js';
import { SlackApiFailure } from './slack-api-failure.js';
import type { MethodHandler, WorkspaceState } from './workspace-state.js';

/** A Home view as a bot sends it, checked. */
type HomeDefinition = Record<string, unknown> & {
  type: 'home';
  blocks: Record<string, unknown>[];
  private_metadata: string;
  callback_id: string;
};

/** A published Home as views.publish returns it. */
export type PublishedHome = Record<string, unknown> & {
  id: string;
  hash: string;
  type: 'home';
  blocks: Record<string, unknown>[];
  private_metadata: string;
  callback_id: string;
};

/** Slack's documented limits for a Home view and the blocks in it. */
const LIMITS = {
  blocks: 100,
  viewBytes: 250 * 1024,
  privateMetadata: 3000,
  callbackId: 255,
  blockId: 255,
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  contextElements: 10,
  actionsElements: 25,
};

/** Published Home views per user, and every publish in order (tests read both). */
export class HomeStore {
  private readonly views = new Map<string, PublishedHome>();
  private readonly log: { user: string; view: PublishedHome; atMs: number }[] = [];
  /** features.app_home.home_tab_enabled; views.publish answers `not_enabled` without it. */
  enabled = true;

  constructor(private readonly state: WorkspaceState) {}

  get(user: string): PublishedHome | undefined {
    return this.views.get(user);
  }

  publishes(user?: string): { user: string; view: PublishedHome; atMs: number }[] {
    return this.log.filter((p) => user === undefined || p.user === user);
  }

  publish(user: string, view: unknown, hash: string | undefined): PublishedHome {
    const { state } = this;
    if (state.conversations.user(user) === undefined || user === state.options.botUserId)
      throw new SlackApiFailure('invalid_arguments', {
        response_metadata: { messages: ['invalid `user_id`'] },
      });
    if (!this.enabled) throw new SlackApiFailure('not_enabled');
    const current = this.views.get(user);
    if (hash !== undefined && current !== undefined && hash !== current.hash)
      throw new SlackApiFailure('hash_conflict');
    const definition = validateHome(view);
    const published: PublishedHome = {
      ...definition,
      id: current?.id ?? state.ids.next('V'),
      team_id: state.options.teamId,
      type: 'home',
      close: null,
      submit: null,
      state: { values: {} },
      hash: `${Math.floor(state.now() / 1000)}.${state.ids.next('h').slice(1)}`,
      clear_on_close: false,
      notify_on_close: false,
      previous_view_id: null,
      external_id: '',
      app_id: state.options.appId,
      app_installed_team_id: state.options.teamId,
      bot_id: state.options.botId,
    };
    published.root_view_id = published.id;
    this.views.set(user, published);
    this.log.push({ user, view: published, atMs: state.now() });
    return published;
  }
}

const stores = new WeakMap<WorkspaceState, HomeStore>();

/** The Home store of one fake workspace (made on first use). */
export function homeStoreOf(state: WorkspaceState): HomeStore {
  let store = stores.get(state);
  if (store === undefined) {
    store = new HomeStore(state);
    stores.set(state, store);
  }
  return store;
}

function textOf(value: unknown): string | undefined {
  const text = (value as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : undefined;
}

/** What Slack checks before it takes a Home: the type, the block count and the sizes that bots overrun. */
function validateHome(view: unknown): HomeDefinition {
  if (typeof view !== 'object' || view === null) throw new SlackApiFailure('invalid_arguments');
  if (Buffer.byteLength(JSON.stringify(view)) > LIMITS.viewBytes) throw new SlackApiFailure('view_too_large');
  const definition = view as Record<string, unknown>;
  const problems: string[] = [];
  if (definition.type !== 'home') problems.push('[ERROR] must be a home view [json-pointer:/view/type]');
  const metadata = definition.private_metadata ?? '';
  if (typeof metadata !== 'string' || metadata.length > LIMITS.privateMetadata)
    problems.push(
      `[ERROR] must be less than ${LIMITS.privateMetadata + 1} characters [json-pointer:/view/private_metadata]`,
    );
  const callbackId = definition.callback_id ?? '';
  if (typeof callbackId !== 'string' || callbackId.length > LIMITS.callbackId)
    problems.push('[ERROR] invalid callback_id [json-pointer:/view/callback_id]');
  const blocks = definition.blocks;
  if (!Array.isArray(blocks)) problems.push('[ERROR] missing required field: blocks');
  else {
    if (blocks.length > LIMITS.blocks)
      problems.push(`[ERROR] no more than ${LIMITS.blocks} items allowed [json-pointer:/view/blocks]`);
    const blockIds = new Set<string>();
    blocks.forEach((block: unknown, i) => {
      for (const problem of blockProblems(block, blockIds))
        problems.push(`${problem} [json-pointer:/view/blocks/${i}]`);
    });
  }
  if (problems.length > 0)
    throw new SlackApiFailure('invalid_arguments', { response_metadata: { messages: problems } });
  return {
    ...definition,
    type: 'home',
    blocks: blocks as Record<string, unknown>[],
    private_metadata: metadata as string,
    callback_id: callbackId as string,
  };
}

function blockProblems(raw: unknown, blockIds: Set<string>): string[] {
  if (typeof raw !== 'object' || raw === null) return ['[ERROR] a block must be an object'];
  const block = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof block.type !== 'string') problems.push('[ERROR] missing required field: type');
  if (block.block_id !== undefined) {
    const id = block.block_id;
    if (typeof id !== 'string' || id.length === 0 || id.length > LIMITS.blockId)
      problems.push('[ERROR] invalid block_id');
    else if (blockIds.has(id)) problems.push(`[ERROR] duplicate block_id ${id}`);
    else blockIds.add(id);
  }
  switch (block.type) {
    case 'section': {
      const text = textOf(block.text);
      if (text === undefined || text.length === 0 || text.length > LIMITS.sectionText)
        problems.push(`[ERROR] section text must be 1 to ${LIMITS.sectionText} characters`);
      break;
    }
    case 'header': {
      const text = textOf(block.text);
      if (
        (block.text as { type?: unknown } | undefined)?.type !== 'plain_text' ||
        !text ||
        text.length > LIMITS.headerText
      )
        problems.push('[ERROR] header text must be plain_text of at most 150 characters');
      break;
    }
    case 'context': {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > LIMITS.contextElements)
        problems.push('[ERROR] context needs 1 to 10 elements');
      break;
    }
    case 'actions': {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > LIMITS.actionsElements)
        problems.push('[ERROR] actions needs 1 to 25 elements');
      else
        for (const element of elements as Record<string, unknown>[]) {
          if (element.type !== 'button') continue;
          const text = textOf(element.text);
          if (!text || text.length > LIMITS.buttonText)
            problems.push('[ERROR] button text must be 1 to 75 characters');
          if (typeof element.action_id === 'string' && element.action_id.length > LIMITS.actionId)
            problems.push('[ERROR] action_id too long');
          if (typeof element.value === 'string' && element.value.length > LIMITS.buttonValue)
            problems.push('[ERROR] button value too long');
        }
      break;
    }
    case 'divider':
    case 'image':
      break;
    default:
      problems.push(`[ERROR] unsupported block type ${String(block.type)}`);
  }
  return problems;
}

const viewsPublish: MethodHandler = ({ args }, state) => {
  const view = homeStoreOf(state).publish(
    requiredString(args, 'user_id'),
    optionalJson(args, 'view'),
    optionalString(args, 'hash'),
  );
  return { ok: true, view };
};

/** A message's permalink, as Slack builds it (a thread reply links with its thread). No scope needed. */
const getPermalink: MethodHandler = ({ args }, state) => {
  const channel = requiredString(args, 'channel');
  const ts = requiredString(args, 'message_ts');
  if (state.conversations.channel(channel) === undefined) throw new SlackApiFailure('channel_not_found');
  const message = state.conversations.find(channel, ts);
  if (message === undefined) throw new SlackApiFailure('message_not_found');
  const base = `https://${state.options.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
  const inThread = message.thread_ts !== undefined && message.thread_ts !== ts;
  return {
    ok: true,
    channel,
    permalink: inThread ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}` : base,
  };
};

export const homeMethods: Record<string, MethodHandler> = {
  'views.publish': viewsPublish,
  'chat.getPermalink': getPermalink,
};
