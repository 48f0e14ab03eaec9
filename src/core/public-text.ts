/**
 * What of an error's text may be shown in chat. Provider and platform messages are useful ("Invalid
 * size 640x480"), but an error from below (a socket, the file system) carries local paths, hosts, IP
 * addresses and stack frames that tell a channel how the bot is deployed. Such detail stays in the
 * log (every failure is logged with the job id); chat gets the plain sentence and the request id.
 */
const INTERNALS = [
  /(?:^|[\s'"(=])\/[\w.@-]+\/[\w./@-]*/, // a Unix path
  /[A-Za-z]:\\[\w\\. -]+/, // a Windows path
  /\b[a-z][a-z0-9+.-]*:\/\/\S+/i, // a URL
  /\b(?:\d{1,3}\.){3}\d{1,3}\b/, // an IPv4 address
  /\[[0-9a-f:]+\]/i, // a bracketed IPv6 address
  /\b[\w-]+(?:\.[\w-]+)+:\d{2,5}\b/, // host:port
  /\bE[A-Z]{3,}\b/, // an errno code (ECONNREFUSED, ENOENT)
  /\n\s*at\s/, // a stack frame
];

const MAX_DETAIL = 200;

/** The text when it is safe to show, cut to a sentence's length; null when it carries internals. */
export function publicDetail(text: string | null | undefined): string | null {
  if (!text) return null;
  const trimmed = text.trim();
  if (trimmed === '' || INTERNALS.some((pattern) => pattern.test(trimmed))) return null;
  return trimmed.length > MAX_DETAIL ? `${trimmed.slice(0, MAX_DETAIL - 1)}…` : trimmed;
}
