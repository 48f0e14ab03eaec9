/**
 * Which text of a `/sora` command or an @mention the core parses. Slack sends it escaped
 * (`should_escape: true` in manifest.yml; events always): mentions as `<@U123|name>`, channels as
 * `<#C123|name>`, links as `<https://…|label>`, and `&`, `<`, `>` as entities.
 * - A budget command keeps its mentions raw: the core's budget parser reads the user id out of
 *   `<@U123|name>`, and a name alone (`@bob`) would not say who bob is.
 * - Everything else is parsed as the person typed it (mrkdwn.ts, plainSlackText): a prompt asks for a
 *   video of `@alice in #general`, not of Slack's markup.
 */
import type { ParseResult } from '../../src/core/intents.js';
import { plainSlackText, unescapeSlackText } from './mrkdwn.js';

export function parseSlackText(escaped: string, parse: (text: string) => ParseResult): ParseResult {
  const raw = unescapeSlackText(escaped).trim();
  if (/^budget(?:\s|$)/i.test(raw)) {
    const parsed = parse(raw);
    // "budget cuts in <#C1|town>" is a prompt that starts with the word: parse it as typed instead.
    if (!parsed.ok || parsed.intent.kind === 'budget') return parsed;
  }
  return parse(plainSlackText(escaped).trim());
}
