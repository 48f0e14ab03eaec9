/**
 * What the page receives for a message: the neutral message (the page reads its kind, phase,
 * progress, job and actions) plus its plain-text rendering. The page sets every string with
 * textContent: prompts and names are data, never markup.
 */
import type { BotMessage } from '../../src/core/messages.js';
import { renderPlainText } from '../../src/core/render-text.js';
import type { RoomEntry } from './room-history.js';

export interface WireMessage {
  message: BotMessage;
  text: string;
}

export interface WireEntry extends WireMessage {
  ref: string;
  postedAt: number;
  role: RoomEntry['role'];
  media: RoomEntry['media'];
}

export function wireMessage(message: BotMessage): WireMessage {
  return { message, text: renderPlainText(message) };
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
