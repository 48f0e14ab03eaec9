/**
 * Discord-shaped ids: (ms since the Discord epoch) << 22 | counter, so `createdTimestamp` in discord.js
 * gives a sensible date. Ids are strictly increasing even within one millisecond.
 * https://discord.com/developers/docs/reference#snowflakes
 */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

export type SnowflakeSource = () => string;

export function createSnowflakeSource(now: () => number): SnowflakeSource {
  let last = 0n;
  return () => {
    let next = (BigInt(Math.floor(now())) - DISCORD_EPOCH_MS) << 22n;
    if (next <= last) next = last + 1n;
    last = next;
    return next.toString();
  };
}
