/**
 * Escaping for Slack text. Slack parses `<...>` as links and mentions (`<!channel>`, `<@U123>`) and
 * `&` starts an entity, so every string that came from a person (prompts, file names, names) is
 * escaped before it is echoed: https://api.slack.com/reference/surfaces/formatting#escaping
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts `text` to `max` characters, never in the middle of an escape sequence like `&amp;`. */
export function truncateEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** Escapes then truncates: the usual way to put a person's text into a block with a length limit. */
export function safeText(text: string, max: number): string {
  return truncateEscaped(escapeSlackText(text), max);
}

/** Slack encodes `&`, `<` and `>` in the text it sends (commands, messages): back to what was typed. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Slack's escaped text back into what the person typed, for prompts. `/sora` is declared with
 * `should_escape: true` (so that `/sora budget @bob` arrives with bob's id) and events always come
 * escaped, so a prompt holds `<@U123|alice>`, `<#C123|general>`, `<!here>` and `<https://x|label>`;
 * the video should be asked for with `@alice`, `#general`, `@here` and `https://x`. The result is
 * plain text: echoing it goes through escapeSlackText like any other prompt, and a bare `@here` in a
 * message the bot posts pings nobody (only the `<!here>` form does).
 */
export function plainSlackText(text: string): string {
  // Entities first, then `&lt;`… : a `<` the person typed arrives as `&lt;` and stays text.
  return unescapeSlackText(text.replace(/<([^<>]*)>/g, (_match, inner: string) => plainEntity(inner)));
}

const BROADCASTS = new Set(['here', 'channel', 'everyone']);

function plainEntity(inner: string): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? '' : inner.slice(bar + 1);
  if (target.startsWith('@')) return `@${label || target.slice(1)}`;
  if (target.startsWith('#')) return `#${label || target.slice(1)}`;
  if (target.startsWith('!')) {
    const [command = '', argument = ''] = target.slice(1).split('^');
    if (BROADCASTS.has(command)) return `@${command}`;
    // A user group is `<!subteam^S123|@design>`; a date carries its fallback text as the label.
    if (command === 'subteam') return label ? (label.startsWith('@') ? label : `@${label}`) : `@${argument}`;
    return label || command;
  }
  // A mailto link shows the address typed; any other link is its URL (the label is only how it looked).
  if (/^mailto:/i.test(target)) return label || target.slice('mailto:'.length);
  return target;
}
