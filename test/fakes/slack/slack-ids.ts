/**
 * Slack-shaped identifiers and message timestamps.
 *
 * A message `ts` is "seconds.microseconds" and is the message's primary key inside a channel; Slack keeps
 * them strictly increasing per channel, and so does this fake (per fake, which is stricter).
 */
export interface SlackIdFactory {
  /** `prefix` + 10 upper-case base-36 characters, e.g. F0000000001A. */
  next(prefix: string): string;
  /** A new unique, strictly increasing message ts for the current clock. */
  nextTs(): string;
  /** An opaque trigger_id in Slack's "digits.digits.hex" shape. */
  nextTriggerId(): string;
}

export function createSlackIdFactory(now: () => number): SlackIdFactory {
  let counter = 0;
  let lastMicros = 0;
  return {
    next(prefix) {
      counter += 1;
      return `${prefix}${counter.toString(36).toUpperCase().padStart(10, '0')}`;
    },
    nextTs() {
      let micros = Math.floor(now()) * 1000;
      if (micros <= lastMicros) micros = lastMicros + 1;
      lastMicros = micros;
      return microsToTs(micros);
    },
    nextTriggerId() {
      counter += 1;
      const hex = (counter * 2654435761).toString(16).padStart(8, '0').slice(-8);
      return `${Math.floor(now() / 1000)}.${1000 + counter}.${hex}${counter.toString(16).padStart(24, '0')}`;
    },
  };
}

export function microsToTs(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

/** Numeric order of two ts strings without floating point loss. */
export function tsToMicros(ts: string): number {
  const [seconds = '0', fraction = ''] = ts.split('.');
  return Number(seconds) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

export function compareTs(a: string, b: string): number {
  return tsToMicros(a) - tsToMicros(b);
}
