import { requiredString } from './method-args.js';
import { requireScope } from './scope-check.js';
import { SlackApiFailure } from './slack-api-failure.js';
import type { MethodHandler } from './workspace-state.js';

/** auth.test: Bolt calls it once to learn its own bot user id (used by `ignoreSelf`). */
const authTest: MethodHandler = (_call, state) => {
  const { options } = state;
  return {
    ok: true,
    url: `https://${options.teamDomain}.slack.com/`,
    team: options.teamName,
    user: options.botName,
    team_id: options.teamId,
    user_id: options.botUserId,
    bot_id: options.botId,
    app_id: options.appId,
    is_enterprise_install: false,
  };
};

/** apps.connections.open (app-level token): a fresh single-use WebSocket URL for Socket Mode. */
const appsConnectionsOpen: MethodHandler = (_call, state) => ({ ok: true, url: state.issueSocketUrl() });

const usersInfo: MethodHandler = ({ args }, state) => {
  requireScope(state, 'users:read');
  const user = state.conversations.user(requiredString(args, 'user'));
  if (user === undefined) throw new SlackApiFailure('user_not_found');
  return { ok: true, user: state.conversations.userObject(user) };
};

export const identityMethods: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'apps.connections.open': appsConnectionsOpen,
  'users.info': usersInfo,
};
