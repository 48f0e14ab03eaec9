import type { ChannelRecord } from './options.js';
import { SlackApiFailure } from './slack-api-failure.js';
import type { WorkspaceState } from './workspace-state.js';

/**
 * Refuses a call whose bot token lacks `scope`, the way Slack does:
 * `{ ok: false, error: 'missing_scope', needed, provided }`. A bot installed without, say, reactions:read or
 * files:read hits this in production; the fake makes it testable (`fake.workspace.setScopes`).
 */
export function requireScope(state: WorkspaceState, scope: string): void {
  if (state.scopes.includes(scope)) return;
  throw new SlackApiFailure('missing_scope', { needed: scope, provided: state.scopes.join(',') });
}

/** Conversations API scopes depend on the conversation type: channels:, groups:, im:, mpim: + suffix. */
export function requireConversationScope(
  state: WorkspaceState,
  channel: ChannelRecord,
  suffix: 'history' | 'read',
) {
  const prefix = { public: 'channels', private: 'groups', im: 'im', mpim: 'mpim' }[channel.kind];
  requireScope(state, `${prefix}:${suffix}`);
}
