/**
 * `SORA_POOL`: several Sora deployments behind one bot, a JSON array with one object per deployment:
 *   [{"name":"eastus","flavour":"azure","endpoint":"https://east.openai.azure.com","apiKeyEnv":"AZ_EAST_KEY"},
 *    {"name":"oai","flavour":"openai","baseUrl":"https://api.openai.com/v1","apiKeyEnv":"OPENAI_API_KEY"}]
 * Keys are named by `apiKeyEnv` (the variable holding the key), so no secret sits in the list. Every
 * problem is one line naming the entry (`entry 2 ("oai"): ...`).
 */
import { z } from 'zod';
import { MODELS, type SoraModel } from '../capabilities.js';

export const POOL_FLAVOURS = ['azure', 'openai', 'emulator'] as const;
export type PoolFlavour = (typeof POOL_FLAVOURS)[number];

const name = z
  .string({ error: 'a "name" (letters, digits, - or _, up to 40)' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'a "name" of letters, digits, - or _ (up to 40)');
const httpUrl = (field: string) =>
  z
    .string({ error: `"${field}", a URL starting with http:// or https://` })
    .regex(/^https?:\/\/\S+$/, `"${field}", a URL starting with http:// or https://`)
    .transform((v) => v.replace(/\/+$/, ''));
const envName = z
  .string({ error: '"apiKeyEnv", the name of the variable that holds the key' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, '"apiKeyEnv", the name of a variable (e.g. AZ_EAST_KEY)');
const count = (field: string, min: number, max: number) =>
  z
    .number({ error: `"${field}", a whole number from ${min} to ${max}` })
    .int(`"${field}", a whole number from ${min} to ${max}`)
    .min(min, `"${field}", a whole number from ${min} to ${max}`)
    .max(max, `"${field}", a whole number from ${min} to ${max}`);

const common = {
  name,
  maxConcurrent: count('maxConcurrent', 1, 1000).optional(),
  rpm: count('rpm', 0, 100_000).optional(),
  /** Narrows what this deployment offers (e.g. an OpenAI project without sora-2-pro access). */
  models: z
    .array(z.enum(MODELS, { error: `"models", a list of ${MODELS.join(', ')}` }))
    .min(1, `"models", at least one of ${MODELS.join(', ')}`)
    .optional(),
};

const EntrySchema = z.discriminatedUnion(
  'flavour',
  [
    z.strictObject({
      ...common,
      flavour: z.literal('azure'),
      endpoint: httpUrl('endpoint'),
      apiKeyEnv: envName,
      deployment: z.string().trim().min(1).default('sora-2'),
    }),
    z.strictObject({
      ...common,
      flavour: z.literal('openai'),
      baseUrl: httpUrl('baseUrl'),
      apiKeyEnv: envName,
    }),
    z.strictObject({
      ...common,
      flavour: z.literal('emulator'),
      baseUrl: httpUrl('baseUrl'),
      apiKeyEnv: envName.optional(),
    }),
  ],
  { error: `a "flavour", one of ${POOL_FLAVOURS.join(', ')}` },
);
type Entry = z.infer<typeof EntrySchema>;

/** One deployment, validated, with its key read from the variable `apiKeyEnv` names. */
export type PoolEntry = Resolved<Entry>;
type Resolved<E> = E extends unknown
  ? Omit<E, 'maxConcurrent' | 'rpm' | 'models' | 'apiKeyEnv'> & {
      maxConcurrent: number;
      rpm: number;
      models: readonly SoraModel[] | null;
      /** Never logged nor shown: only the client sends it. */
      apiKey: string | undefined;
    }
  : never;

/** A one-line configuration problem: `entry 2 ("oai"): ...`. */
export class PoolConfigError extends Error {
  override readonly name = 'PoolConfigError';
  readonly code = 'pool_config_invalid';
}

export interface PoolDefaults {
  /** SORA_MAX_CONCURRENT and SORA_RPM: what an entry without its own figures gets. */
  maxConcurrent: number;
  rpm: number;
}

export function parsePoolEntries(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  defaults: PoolDefaults,
): PoolEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PoolConfigError('a JSON array of deployments, e.g. [{"name":"eastus","flavour":"azure",...}]');
  }
  if (!Array.isArray(raw) || raw.length === 0)
    throw new PoolConfigError('a JSON array with at least one deployment');
  const seen = new Set<string>();
  return raw.map((item, index) => {
    const label = `entry ${index + 1}${labelName(item)}`;
    const parsed = EntrySchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const unknown = issue.code === 'unrecognized_keys' ? `unknown field "${issue.keys[0]}"` : undefined;
      throw new PoolConfigError(`${label}: ${unknown ?? issue.message.replace(/^Invalid input: /, '')}`);
    }
    const entry = parsed.data;
    if (seen.has(entry.name)) throw new PoolConfigError(`${label}: the name "${entry.name}" is used twice`);
    seen.add(entry.name);
    const keyVar = entry.apiKeyEnv;
    const apiKey = keyVar ? env[keyVar]?.trim() || undefined : undefined;
    if (keyVar && !apiKey)
      throw new PoolConfigError(`${label}: the variable ${keyVar} (its apiKeyEnv) is not set`);
    const { apiKeyEnv: _, ...rest } = entry;
    return {
      ...rest,
      maxConcurrent: entry.maxConcurrent ?? defaults.maxConcurrent,
      rpm: entry.rpm ?? defaults.rpm,
      models: entry.models ?? null,
      apiKey,
    } as PoolEntry;
  });
}

function labelName(item: unknown): string {
  const name = (item as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.length > 0 ? ` ("${name.slice(0, 40)}")` : '';
}
