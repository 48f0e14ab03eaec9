/**
 * Job ids people can type: 6 characters from an alphabet without look-alikes (no 0/o, 1/l/i).
 * 31^6 is about 887 million ids; the ledger rejects the rare collision and we draw again.
 */
import { randomInt } from 'node:crypto';

const ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
export const SHORT_ID_LENGTH = 6;
export const SHORT_ID_PATTERN = /^[2-9a-hjkmnp-z]{6}$/;

export function newShortId(): string {
  let id = '';
  for (let i = 0; i < SHORT_ID_LENGTH; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

/** Accepts what a person might type: any case, an optional leading `#`. */
export function normalizeShortId(input: string): string | undefined {
  const id = input.trim().replace(/^#/, '').toLowerCase();
  return SHORT_ID_PATTERN.test(id) ? id : undefined;
}
