import { optionalJson, optionalString, requiredString } from './method-args.js';
import { SlackApiFailure } from './slack-api-failure.js';
import type { MethodHandler } from './workspace-state.js';

/** views.open needs a fresh, unused trigger_id (Slack: under 3 s old). */
const open: MethodHandler = ({ args }, state) => {
  state.views.consumeTrigger(requiredString(args, 'trigger_id'));
  return { ok: true, view: state.views.open(optionalJson(args, 'view')) };
};

/** views.push stacks a modal on the one the trigger came from; the fake links it to the latest modal. */
const push: MethodHandler = ({ args }, state) => {
  state.views.consumeTrigger(requiredString(args, 'trigger_id'));
  const previous = state.views.all().at(-1);
  if (previous === undefined) throw new SlackApiFailure('not_found');
  return { ok: true, view: state.views.open(optionalJson(args, 'view'), previous) };
};

const update: MethodHandler = ({ args }, state) => {
  const viewId = optionalString(args, 'view_id');
  const externalId = optionalString(args, 'external_id');
  if (viewId === undefined && externalId === undefined) throw new SlackApiFailure('invalid_arguments');
  return {
    ok: true,
    view: state.views.update({
      view_id: viewId,
      external_id: externalId,
      hash: optionalString(args, 'hash'),
      view: optionalJson(args, 'view'),
    }),
  };
};

export const viewMethods: Record<string, MethodHandler> = {
  'views.open': open,
  'views.push': push,
  'views.update': update,
};
