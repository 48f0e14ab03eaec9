/**
 * `/sora settings`, in the grammar's exact-shape style (command-parser.ts): the words are a settings
 * command only in these shapes, anything else after `settings` is a prompt ("settings of an old
 * western town" makes a video).
 *   settings                  what is set for me
 *   settings notify on|off    be mentioned (or not) when my video is delivered, fails or is refused
 * `settings notify` with a missing or other value is a usage problem: nobody means a video of that.
 */
import type { ParseResult, SettingsIntent, UsageProblem } from './intents.js';

const NOTIFY_FORM =
  'Say `/sora settings notify off` to stop being mentioned when your videos are ready, or `/sora settings notify on` to be mentioned again.';

/** Undefined when the words are not a settings command (they are a prompt). */
export function parseSettingsCommand(rest: readonly string[]): ParseResult<SettingsIntent> | undefined {
  if (rest.length === 0) return { ok: true, intent: { kind: 'settings', notify: null } };
  if (rest[0]!.toLowerCase() !== 'notify' || rest.length > 2) return undefined;
  const value = rest[1]?.toLowerCase();
  if (value === 'on' || value === 'off')
    return { ok: true, intent: { kind: 'settings', notify: value === 'on' } };
  const problem: UsageProblem = {
    code: value === undefined ? 'missing_value' : 'invalid_value',
    field: 'setting',
    message: NOTIFY_FORM,
  };
  return { ok: false, problem };
}
