/** Drops the optional leading `/sora` (people paste what they would type in Slack or Discord). */
export function stripSlashCommand(text: string): string {
  return text.trim().replace(/^\/sora(?=\s|$)\s*/i, '');
}
