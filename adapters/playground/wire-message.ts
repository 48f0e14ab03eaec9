/**
 * What the page receives for a message: the neutral message (the page reads its kind, phase,
 * progress, job and actions) plus its plain-text rendering. The page sets every string with
 * textContent: prompts and names are data, never markup. A usage chart's PNG bytes travel as a
 * `data:image/png;base64,` URL (built here from the bytes, never from text), which the page's CSP
 * allows for images and nothing else.
 */
import type { BotMessage, UsageMessage } from '../../src/core/messages.js';
import { renderPlainText } from '../../src/core/render-text.js';
import type { RoomEntry } from './room-history.js';

export const PNG_DATA_URL_PREFIX = 'data:image/png;base64,';

/** `/sora usage` as the page gets it: the chart as an image source instead of raw bytes. */
export interface WireUsageMessage extends Omit<UsageMessage, 'chart'> {
  chart: { src: string; filename: string; alt: string } | null;
}

export type WireBotMessage = Exclude<BotMessage, UsageMessage> | WireUsageMessage;

export interface WireMessage {
  message: WireBotMessage;
  text: string;
}

export interface WireEntry extends WireMessage {
  ref: string;
  postedAt: number;
  role: RoomEntry['role'];
  media: RoomEntry['media'];
}

export function wireMessage(message: BotMessage): WireMessage {
  return { message: toWire(message), text: renderPlainText(message) };
}

export function wireEntry(entry: RoomEntry): WireEntry {
  return {
    ref: entry.ref,
    postedAt: entry.postedAt,
    role: entry.role,
    media: entry.media,
    ...wireMessage(entry.message),
  };
}

function toWire(message: BotMessage): WireBotMessage {
  if (message.kind !== 'usage') return message;
  const chart = message.chart;
  // Bytes only: a message read back from storage may have lost its Uint8Array (then no chart).
  const png = chart && chart.png instanceof Uint8Array && chart.png.byteLength > 0 ? chart.png : null;
  return {
    ...message,
    chart:
      chart && png
        ? {
            src: `${PNG_DATA_URL_PREFIX}${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`,
            filename: chart.filename,
            alt: chart.alt,
          }
        : null,
  };
}
