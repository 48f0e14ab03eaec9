/**
 * What a video costs before it is made. Prices are per second of video, per provider, model and size
 * (docs/sora-api.md, "Timing, retention, cost"), kept in integer micro-dollars so that sums over a
 * month of entries never drift by a rounding error. `SORA_PRICES` overrides entries:
 *
 *   SORA_PRICES="sora-2=0.12, sora-2-pro@1792x1024=0.55, azure/sora-2=0.10"
 *
 * Each entry is `[provider/]model[@size]=DOLLARS_PER_SECOND`; the most specific entry wins (provider
 * and size, then size, then provider, then the model alone).
 */
import {
  MODELS,
  PROVIDER_KINDS,
  type ProviderKind,
  SORA_2_PRO,
  type SoraModel,
} from '../sora/capabilities.js';

/** Integer millionths of a US dollar. */
export type Micros = number;

export const MICROS_PER_DOLLAR = 1_000_000;

export interface PriceEntry {
  provider: ProviderKind | null;
  model: SoraModel;
  size: string | null;
  perSecond: Micros;
}

const PRO_720 = ['720x1280', '1280x720'];
const PRO_1024 = ['1024x1792', '1792x1024'];
const PRO_1080 = ['1080x1920', '1920x1080'];

/** The published list; Azure bills the same unless overridden. */
export const DEFAULT_PRICES: readonly PriceEntry[] = [
  { provider: null, model: 'sora-2', size: null, perSecond: dollars(0.1) },
  { provider: null, model: 'sora-2-pro', size: null, perSecond: dollars(0.3) },
  ...PRO_720.map((size) => ({ provider: null, model: 'sora-2-pro' as const, size, perSecond: dollars(0.3) })),
  ...PRO_1024.map((size) => ({
    provider: null,
    model: 'sora-2-pro' as const,
    size,
    perSecond: dollars(0.5),
  })),
  ...PRO_1080.map((size) => ({
    provider: null,
    model: 'sora-2-pro' as const,
    size,
    perSecond: dollars(0.7),
  })),
];

export function dollars(amount: number): Micros {
  return Math.round(amount * MICROS_PER_DOLLAR);
}

export class PriceTable {
  private readonly entries: readonly PriceEntry[];

  constructor(overrides: readonly PriceEntry[] = []) {
    // Later entries win among equally specific ones, so overrides go last.
    this.entries = [...DEFAULT_PRICES, ...overrides];
  }

  perSecond(provider: ProviderKind, model: string, size: string): Micros {
    const family = familyOf(model);
    let best: { entry: PriceEntry; rank: number } | undefined;
    for (const entry of this.entries) {
      if (entry.model !== family) continue;
      if (entry.provider !== null && entry.provider !== provider) continue;
      if (entry.size !== null && entry.size !== size) continue;
      const rank = (entry.provider ? 1 : 0) + (entry.size ? 2 : 0);
      if (!best || rank >= best.rank) best = { entry, rank };
    }
    return best?.entry.perSecond ?? 0;
  }

  estimate(request: {
    provider: ProviderKind;
    model: string;
    size: string;
    seconds: string | number;
  }): Micros {
    return this.perSecond(request.provider, request.model, request.size) * Number(request.seconds);
  }
}

function familyOf(model: string): SoraModel {
  return model === 'sora-2-pro' || model.startsWith('sora-2-pro-') ? 'sora-2-pro' : 'sora-2';
}

/**
 * Parses `SORA_PRICES`. Throws an Error whose message is one line naming the entry at fault: an
 * unknown provider, model or size is a configuration error, not a silent zero.
 */
export function parsePrices(text: string): PriceEntry[] {
  const entries: PriceEntry[] = [];
  for (const raw of text.split(/[\s,;]+/).filter(Boolean)) {
    const match = /^(?:([a-z]+)\/)?([a-z0-9-]+)(?:@(\d+x\d+))?=(\d+(?:\.\d+)?)$/.exec(raw);
    if (!match)
      throw new Error(
        `"${raw}" is not [provider/]model[@WxH]=DOLLARS_PER_SECOND (e.g. sora-2-pro@1792x1024=0.50)`,
      );
    const [, provider, model, size, amount] = match;
    if (provider && !(PROVIDER_KINDS as readonly string[]).includes(provider))
      throw new Error(`"${raw}": unknown provider ${provider} (one of ${PROVIDER_KINDS.join(', ')})`);
    if (!(MODELS as readonly string[]).includes(model!))
      throw new Error(`"${raw}": unknown model ${model} (one of ${MODELS.join(', ')})`);
    if (size && !SORA_2_PRO.sizes.includes(size))
      throw new Error(`"${raw}": unknown size ${size} (one of ${SORA_2_PRO.sizes.join(', ')})`);
    const perSecond = dollars(Number(amount));
    if (perSecond > dollars(100)) throw new Error(`"${raw}": more than $100 a second is surely a typo`);
    entries.push({
      provider: (provider as ProviderKind | undefined) ?? null,
      model: model as SoraModel,
      size: size ?? null,
      perSecond,
    });
  }
  return entries;
}

/** `$0.80`, `$1,204.50`; amounts under a cent keep three decimals so they never read as free. */
export function formatUsd(micros: Micros): string {
  const sign = micros < 0 ? '-' : '';
  const value = Math.abs(micros) / MICROS_PER_DOLLAR;
  const digits = value > 0 && value < 0.01 ? 3 : 2;
  return `${sign}$${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
