/**
 * No link a person typed may render live in a bot message. Discord turns `[text](https://…)` and
 * `[text](<https://…>)` into masked links whose text can say anything, `<https://…>` into a link, and
 * any bare `https://…` into a link; echoed in a message *from the bot*, a prompt like
 * `[Verify your account](https://evil.example)` reads as the bot's own advice. (Mentions are a separate
 * matter: every payload carries `allowedMentions: {parse: []}`.)
 *
 * The text stays as it was typed, readable and copyable; two invisible cuts make it inert:
 * - a zero-width space between `]` and `(`, so no `[text](target)` form parses as a link;
 * - a zero-width space after the colon of any `scheme:/` (https://, http:/, discord://, ...), so neither
 *   the bare-URL rule nor the `<scheme:/...>` autolink rule matches, and a target that did parse would
 *   not be a URL.
 * Applied to everything rendered from the core or from people (content, embed titles, descriptions,
 * footers); only the adapter's own link to a download (added after this) stays live. A zero-width
 * space is used rather than a backslash because a backslash shows inside code spans, where the
 * core quotes what people typed.
 */
const ZWSP = '\u200b';

export function neutraliseLinks(text: string): string {
  return text
    .replace(/\]\s*\(/g, (m) => `]${ZWSP}${m.slice(1)}`)
    .replace(/([a-z][a-z0-9+.-]*):(?=\/)/gi, `$1:${ZWSP}`);
}
