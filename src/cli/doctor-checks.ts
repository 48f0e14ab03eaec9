/**
 * The checks `sora-bot doctor` runs, in order. Add a platform's checks by appending them to
 * DOCTOR_CHECKS (e.g. `...SLACK_DOCTOR_CHECKS`); each check is independent and reports its own fix.
 */

import { Agent } from 'undici';
import { DISCORD_DOCTOR_CHECKS } from '../../adapters/discord/doctor-check.js';
import { SLACK_DOCTOR_CHECKS } from '../../adapters/slack/doctor-check.js';
import type { Config } from '../config.js';
import { JobLedger } from '../core/job-ledger.js';
import { silentLogger } from '../core/logger.js';
import { modelFamily } from '../sora/capabilities.js';
import { isSoraError, type SoraError } from '../sora/errors.js';
import { createPool, describeEntry, type PoolEntry } from '../sora/pool/index.js';
import { openStore } from '../store/open-store.js';
import { type Store, StoreError } from '../store/store.js';
import { type DoctorCheck, type DoctorOutcome, ok, problem } from './doctor.js';

export const configurationCheck: DoctorCheck = {
  name: 'configuration',
  needsConfig: false,
  async run(ctx) {
    if (!ctx.config)
      return problem(
        ctx.configProblem ?? 'the configuration is invalid',
        'set that variable in .env or the environment (the README lists every variable)',
      );
    if (ctx.config.SORA_POOL)
      return ok(
        `a pool of ${ctx.config.SORA_POOL.length}: ${ctx.config.SORA_POOL.map(describeEntry).join(', ')}`,
      );
    return ok(`provider ${describeProvider(ctx.config)}`);
  },
};

export const modelCheck: DoctorCheck = {
  name: 'sora model',
  needsConfig: true,
  async run({ config }) {
    const c = config!;
    if (c.SORA_PROVIDER === 'azure') {
      const family = modelFamily(c.AZURE_OPENAI_DEPLOYMENT);
      if (family === 'sora-2-pro')
        return problem(
          `AZURE_OPENAI_DEPLOYMENT "${c.AZURE_OPENAI_DEPLOYMENT}" names sora-2-pro, which Azure does not serve`,
          'deploy sora-2 in Azure AI Foundry and set AZURE_OPENAI_DEPLOYMENT to that deployment name',
        );
      return ok(`deployment "${c.AZURE_OPENAI_DEPLOYMENT}" (treated as sora-2)`);
    }
    if (!modelFamily(c.SORA_MODEL))
      return problem(
        `SORA_MODEL "${c.SORA_MODEL}" is not a Sora model`,
        'set SORA_MODEL to sora-2 or sora-2-pro',
      );
    return ok(c.SORA_MODEL);
  },
};

export const providerCheck: DoctorCheck = {
  name: 'sora provider',
  needsConfig: true,
  async run(ctx) {
    const config = ctx.config!;
    if (config.SORA_POOL) return poolCheck(config.SORA_POOL, config);
    const { provider, describe } = await ctx.provider();
    try {
      // The cheapest authenticated call: proves the URL is right and the key is accepted.
      await provider.listPage(
        { limit: 1 },
        { maxRetries: 1, timeoutMs: Math.min(config.SORA_REQUEST_TIMEOUT_MS, 15_000) },
      );
      return ok(`${describe} answered and accepted the key`);
    } catch (error) {
      if (!isSoraError(error)) throw error;
      return providerProblem(error, config, describe);
    }
  },
};

/**
 * The job ledger: reachable (Redis) or readable (SQLite, also while the bot runs: the CLI opens it
 * without the writer lock), and whether records were quarantined for failing validation.
 */
export const ledgerCheck: DoctorCheck = {
  name: 'job ledger',
  needsConfig: true,
  async run({ config }) {
    const c = config!;
    let store: Store;
    try {
      store = await openStore({ storeUrl: c.STORE_URL, dataDir: c.DATA_DIR });
    } catch (error) {
      if (error instanceof StoreError) return problem(error.message, 'fix STORE_URL or start the store');
      throw error;
    }
    try {
      const ledger = new JobLedger(store, silentLogger);
      // Reading the active jobs moves any record that fails validation aside first.
      const active = await ledger.active();
      const quarantined = await ledger.quarantined();
      const where = store.kind === 'redis' ? 'Redis' : 'SQLite';
      if (quarantined.length > 0)
        return problem(
          `${where}: ${quarantined.length} job record(s) failed validation and were set aside: ${quarantined.slice(0, 10).join(', ')}`,
          'they were written by another version of sora-bot (check that every replica runs the same one); the other jobs are unaffected',
        );
      return ok(`${where}, ${active.length} unfinished job(s)`);
    } finally {
      await store.close();
    }
  },
};

export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  configurationCheck,
  modelCheck,
  providerCheck,
  ledgerCheck,
  ...SLACK_DOCTOR_CHECKS,
  ...DISCORD_DOCTOR_CHECKS,
];

function describeProvider(config: Config): string {
  switch (config.SORA_PROVIDER) {
    case 'azure':
      return `azure (${config.AZURE_OPENAI_ENDPOINT}, deployment ${config.AZURE_OPENAI_DEPLOYMENT}, key set)`;
    case 'openai':
      return `openai (${config.OPENAI_BASE_URL}, key set)`;
    case 'emulator':
      return 'emulator (no OPENAI_API_KEY or AZURE_OPENAI_ENDPOINT set: videos are simulated locally)';
  }
}

function providerProblem(error: SoraError, config: Config, describe: string): DoctorOutcome {
  const azure = config.SORA_PROVIDER === 'azure';
  const where = azure
    ? `check AZURE_OPENAI_ENDPOINT (now ${config.AZURE_OPENAI_ENDPOINT}): it looks like https://NAME.openai.azure.com`
    : `check OPENAI_BASE_URL (now ${config.OPENAI_BASE_URL}), your network and any proxy`;
  const keyVar = azure ? 'AZURE_OPENAI_API_KEY' : 'OPENAI_API_KEY';
  const line = error.toOneLine();
  switch (error.code) {
    case 'network':
    case 'timeout':
      return problem(line, where);
    case 'auth':
      return problem(
        `the provider refused the key: ${line}`,
        azure
          ? `set ${keyVar} to KEY 1 or KEY 2 of the resource (Azure portal > Keys and Endpoint)`
          : `set ${keyVar} to a valid key (https://platform.openai.com/api-keys)`,
      );
    case 'permission':
      return problem(
        `the key has no access to the Videos API: ${line}`,
        azure
          ? 'give the key a resource where Sora 2 is deployed'
          : 'use a key of a project and organization that has Sora access',
      );
    case 'not_found':
      return problem(
        `the provider has no videos endpoint there: ${line}`,
        azure
          ? `${where}, in a region that offers Sora 2 (the client appends /openai/v1)`
          : 'OPENAI_BASE_URL must end in /v1, e.g. https://api.openai.com/v1',
      );
    case 'rate_limited':
      // A 429 means the URL and key are right; the bot queues and retries.
      return ok(`${describe} accepted the key (rate limited right now; the bot will queue)`);
    default:
      return problem(
        `the provider answered with an error: ${line}`,
        'try again later; quote the request id to support if it persists',
      );
  }
}

/** Every deployment of SORA_POOL answers and accepts its key: one line each, all in one outcome. */
async function poolCheck(entries: readonly PoolEntry[], config: Config): Promise<DoctorOutcome> {
  const dispatcher = new Agent();
  try {
    const pool = createPool(entries, {
      dispatcher,
      maxRetries: 1,
      timeoutMs: Math.min(config.SORA_REQUEST_TIMEOUT_MS, 15_000),
    });
    const lines = await Promise.all(
      pool.deployments.map(async (d) => {
        try {
          await d.provider.listPage({ limit: 1 });
          return { ok: true, line: `${d.name} answered and accepted its key` };
        } catch (error) {
          if (!isSoraError(error)) throw error;
          // A 429 means the URL and key are right.
          if (error.code === 'rate_limited')
            return { ok: true, line: `${d.name} accepted its key (rate limited now)` };
          return { ok: false, line: `${d.name}: ${error.toOneLine()}` };
        }
      }),
    );
    const failed = lines.filter((l) => !l.ok);
    if (failed.length === 0) return ok(lines.map((l) => l.line).join('; '));
    return problem(
      `${failed.length} of ${lines.length} deployments failed: ${failed.map((l) => l.line).join('; ')}`,
      "check that entry's endpoint or baseUrl and the variable its apiKeyEnv names (the others keep working: the bot routes around a deployment that fails)",
    );
  } finally {
    await dispatcher.close();
  }
}
