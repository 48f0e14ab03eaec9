/**
 * `/sora usage` as a Discord message: an embed with the numbers and the chart PNG attached and shown
 * inside it (`attachment://NAME`). The chart's alt text becomes the attachment's description, which
 * screen readers announce. Names in the lines are data, so they are escaped.
 */
import { type APIEmbed, escapeMarkdown } from 'discord.js';
import type { UsageMessage } from '../../src/core/messages.js';
import { truncate } from '../../src/core/render-text.js';

/** A file sent with a message (discord.js's AttachmentPayload, as far as the bot uses it). */
export interface DiscordFile {
  attachment: Buffer;
  name: string;
  /** Alt text (Discord caps it at 1024 characters). */
  description?: string;
}

const EMBED_TITLE_MAX = 256;
const EMBED_DESCRIPTION_MAX = 4096;
const ALT_TEXT_MAX = 1024;
const EMBED_COLOUR = 0x5865f2;

/** Attachment names Discord links from an embed: letters, digits, dot, dash and underscore. */
export function safeFilename(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(-80);
  return cleaned.toLowerCase().endsWith('.png') ? cleaned : `${cleaned}.png`;
}

export function renderUsage(message: UsageMessage): { embeds: APIEmbed[]; files: DiscordFile[] } {
  const embed: APIEmbed = {
    title: truncate(message.title, EMBED_TITLE_MAX),
    color: EMBED_COLOUR,
    description: truncate(
      message.lines.map((line) => escapeMarkdown(line)).join('\n'),
      EMBED_DESCRIPTION_MAX,
    ),
  };
  if (!message.chart) return { embeds: [embed], files: [] };
  const name = safeFilename(message.chart.filename);
  embed.image = { url: `attachment://${name}` };
  return {
    embeds: [embed],
    files: [
      {
        attachment: Buffer.from(message.chart.png),
        name,
        description: truncate(message.chart.alt, ALT_TEXT_MAX),
      },
    ],
  };
}
