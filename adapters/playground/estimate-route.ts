/**
 * The cost shown in the composer before anything is sent: `GET /playground/options` (what the
 * provider renders: models, their sizes and lengths, and the defaults a bare prompt gets) and
 * `GET /playground/estimate?model=&size=&seconds=[&text=]` (what such a video costs, from the core's price
 * table: SORA_PRICES over the published prices). The query is checked with zod and then against the
 * provider's capabilities, so a combination the bot would refuse gets the reason, never a price.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { formatUsd } from '../../src/core/pricing.js';
import type { SoraCore } from '../../src/core/sora-core.js';
import { sendJson } from '../../src/http/http-server.js';
import { type ModelCapabilities, modelFamily, type SoraModel } from '../../src/sora/capabilities.js';
import { stripSlashCommand } from './command-text.js';
import type { RouteTarget } from './request-guard.js';

export const EstimateQuerySchema = z.object({
  model: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{0,63}$/i, 'a model name such as sora-2'),
  size: z
    .string()
    .trim()
    .regex(/^\d{2,5}x\d{2,5}$/, 'WIDTHxHEIGHT, such as 720x1280'),
  seconds: z
    .string()
    .trim()
    .regex(/^\d{1,3}$/, 'a whole number of seconds, such as 8'),
});
export type EstimateQuery = z.infer<typeof EstimateQuerySchema>;

export interface Estimate {
  micros: number;
  usd: string;
  model: SoraModel;
  size: string;
  seconds: string;
  /** `about $0.80 · 8 s · 720x1280 · sora-2` */
  text: string;
}

export interface PlaygroundOptions {
  defaultModel: SoraModel;
  models: {
    model: SoraModel;
    sizes: string[];
    seconds: string[];
    defaultSize: string;
    defaultSeconds: string;
  }[];
}

export function describeEstimate(e: Pick<Estimate, 'micros' | 'model' | 'size' | 'seconds'>): string {
  return `about ${formatUsd(e.micros)} · ${e.seconds} s · ${e.size} · ${e.model}`;
}

export function playgroundOptions(core: Pick<SoraCore, 'capabilities' | 'defaultModel'>): PlaygroundOptions {
  const models = Object.values(core.capabilities.models).filter((m): m is ModelCapabilities => Boolean(m));
  const wanted = modelFamily(core.defaultModel);
  const fallback = models[0]?.model ?? 'sora-2';
  return {
    defaultModel: wanted && core.capabilities.models[wanted] ? wanted : fallback,
    models: models.map((m) => ({
      model: m.model,
      sizes: [...m.sizes],
      seconds: [...m.seconds],
      defaultSize: m.defaultSize,
      defaultSeconds: m.defaultSeconds,
    })),
  };
}

/** The estimate, or a sentence saying why the provider would not render these options. */
export function estimateFor(
  core: Pick<SoraCore, 'capabilities' | 'estimateCost'>,
  query: EstimateQuery,
): { ok: true; estimate: Estimate } | { ok: false; message: string } {
  const family = modelFamily(query.model);
  const caps = family ? core.capabilities.models[family] : undefined;
  if (!family || !caps)
    return {
      ok: false,
      message: `${query.model} isn't available here; use ${Object.keys(core.capabilities.models).join(' or ')}.`,
    };
  if (!caps.sizes.includes(query.size))
    return { ok: false, message: `${family} renders ${caps.sizes.join(', ')}; not ${query.size}.` };
  if (!caps.seconds.includes(query.seconds))
    return { ok: false, message: `Videos can be ${caps.seconds.join(', ')} seconds long.` };
  const micros = core.estimateCost({ model: family, size: query.size, seconds: query.seconds });
  const facts = { micros, model: family, size: query.size, seconds: query.seconds };
  return { ok: true, estimate: { ...facts, usd: formatUsd(micros), text: describeEstimate(facts) } };
}

/**
 * With `text` (what is typed so far) the bot's own grammar reads it first (`readForComposer`): a command
 * gets no price (`reading.kind` `command`), a prompt gets the options it sets itself (`reading.set`,
 * which win over the query's, the page's selects) and the price of the result. So the page never
 * decides what is a command: `/sora help me fly` is priced like any prompt.
 */
export const ComposerQuerySchema = EstimateQuerySchema.extend({ text: z.string().max(40_000).optional() });

export function mountEstimateRoutes(http: RouteTarget, core: SoraCore): void {
  http.route('GET', '/playground/options', (_req, res) => sendFresh(res, 200, playgroundOptions(core)));
  http.route('GET', '/playground/estimate', (_req, res, url) => {
    const query = ComposerQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) {
      const issue = query.error.issues[0];
      sendFresh(res, 400, {
        error: { code: 'bad_request', message: `${issue?.path.join('.') || 'query'}: ${issue?.message}` },
      });
      return;
    }
    const { text, ...selected } = query.data;
    const reading = text === undefined ? undefined : core.readForComposer(stripSlashCommand(text));
    if (reading?.kind === 'command') return sendFresh(res, 200, { reading });
    if (reading?.kind === 'problem')
      return sendFresh(res, 200, { reading: { kind: 'problem', message: reading.problem.message } });
    const result = estimateFor(core, { ...selected, ...(reading?.set ?? {}) });
    const shown = reading ? { reading } : {};
    if (!result.ok)
      sendFresh(res, 400, { ...shown, error: { code: 'unavailable', message: result.message } });
    else sendFresh(res, 200, { ...shown, estimate: result.estimate });
  });
}

/** Prices change with the configuration: never cached. */
function sendFresh(res: ServerResponse, status: number, body: unknown): void {
  res.setHeader('cache-control', 'no-store');
  sendJson(res, status, body);
}
