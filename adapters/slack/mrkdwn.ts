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
