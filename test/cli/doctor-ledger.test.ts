/**
 * `sora-bot doctor`'s ledger check: it reads the SQLite ledger while the bot holds it (no writer
 * lock for the CLI) and lists records that were quarantined for failing validation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ledgerCheck } from '../../src/cli/doctor-checks.js';
import { parseConfig } from '../../src/config.js';
import { JobLedger } from '../../src/core/job-ledger.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { waitingJobFields } from '../support/job-fields.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('doctor: job ledger', () => {
  it('reads the ledger the running bot holds and names quarantined records', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sora-doctor-'));
    dirs.push(dataDir);
    const config = parseConfig({ DATA_DIR: dataDir });
    const ctx = { config, configProblem: undefined, provider: () => Promise.reject(new Error('unused')) };
    // The bot's own connection, with the writer lock, stays open during the check.
    const bot = await SqliteStore.open(join(dataDir, 'sora-bot.sqlite'), { exclusive: true });
    const ledger = new JobLedger(bot, silentLogger);
    await ledger.create(waitingJobFields({ createdAt: 1, updatedAt: 1 }));
    expect(await ledgerCheck.run(ctx)).toEqual({ status: 'ok', detail: 'SQLite, 1 unfinished job(s)' });

    await bot.writeRecord({
      key: 'job:zzzzzz',
      value: { id: 'zzzzzz', state: 'from-the-future' },
      expectedVersion: 0,
      indexAdd: [{ index: 'jobs:active', member: 'zzzzzz', score: 2 }],
    });
    const outcome = await ledgerCheck.run(ctx);
    expect(outcome.status).toBe('problem');
    expect(outcome.status === 'problem' && outcome.problem).toContain('zzzzzz');
    await bot.close();
  });
});
