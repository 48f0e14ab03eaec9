/**
 * Keeps the "Make a video" modal's cost line current. Its length, shape and model selects have
 * `dispatch_action: true`, so each change arrives as a block_actions payload with the view's state;
 * the modal is rendered again with those choices and a fresh estimate and replaced with
 * `views.update`, passing the view's `hash` so that an older refresh never overwrites a newer one
 * (Slack answers `hash_conflict`, and the newer change brings its own refresh). Slack keeps what was
 * typed into input blocks whose block_id and action_id stay the same.
 * https://api.slack.com/surfaces/modals#updating_views
 */
import type { App, BlockAction, StaticSelectAction } from '@slack/bolt';
import { VIEW_IDS } from './action-ids.js';
import type { SlackHandlerDeps } from './handler-context.js';
import {
  generateModal,
  MODAL_BLOCKS,
  pickedFit,
  pickedOptions,
  readMetadata,
  type StateValues,
  typedPrompt,
} from './modals.js';
import { slackErrorCode } from './slack-api.js';

const CHOICES = ['seconds', 'size', 'model'] as const;
const CHOICE_BLOCKS = new RegExp(`^(${CHOICES.map((key) => MODAL_BLOCKS[key]).join('|')})$`);

export function registerModalEstimate(app: App, deps: SlackHandlerDeps): void {
  app.action<BlockAction<StaticSelectAction>>(
    { type: 'block_actions', block_id: CHOICE_BLOCKS },
    async ({ ack, body, action }) => {
      await ack();
      const view = body.view;
      if (!view || view.callback_id !== VIEW_IDS.generate) return;
      const meta = readMetadata(view.private_metadata);
      if (!meta) return;
      const values = (view.state?.values ?? {}) as StateValues;
      const picked = pickedOptions(values);
      // The change itself wins over the state that came with it.
      const key = CHOICES.find((k) => MODAL_BLOCKS[k] === action.block_id);
      if (key && action.selected_option?.value) picked[key] = action.selected_option.value;
      const prompt = typedPrompt(values);
      const next = generateModal({
        capabilities: deps.core.capabilities,
        defaultModel: deps.core.defaultModel,
        estimate: (choice) => deps.core.estimateCost(choice),
        metadata: meta,
        ...(meta.f ? { image: { name: meta.n ?? 'image' } } : {}),
        picked,
        pickedFit: pickedFit(values),
        ...(prompt ? { prompt } : {}),
      });
      try {
        await deps.slack.call('views.update', { view_id: view.id, hash: view.hash, view: next });
      } catch (error) {
        // A newer change already replaced the view (it carries its own estimate), or the modal is gone.
        const code = slackErrorCode(error);
        if (code === 'hash_conflict' || code === 'not_found') return;
        deps.logger.warn({ err: error }, 'could not refresh the cost in the video modal');
      }
    },
  );
}
