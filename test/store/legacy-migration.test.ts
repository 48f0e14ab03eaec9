/**
 * First start on a DATA_DIR written by the previous version (the fixture was made by that version's
 * own code, see test/fixtures/legacy-data-dir/make-fixture.md): every job, index, claim and value is
 * imported into the new tables once, the old table is dropped, and the ledger serves the jobs.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobLedger } from '../../src/core/job-ledger.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/legacy-data-dir');
const manifest = JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8')) as {
  jobs: { id: string; state: string; prompt: string; channel: string; providerVideoId: string | null }[];
  idempotency: { key: string; jobId: string };
  videoClaims: Record<string, string>;
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('importing a DATA_DIR of the previous version', () => {
  it('serves every job, index, claim and value from the new tables after the first start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sora-legacy-'));
    dirs.push(dataDir);
    const file = join(dataDir, 'sora-bot.sqlite');
    copyFileSync(join(FIXTURE, 'sora-bot.sqlite'), file);
    const store = await SqliteStore.open(file, { exclusive: true });
    const ledger = new JobLedger(store, silentLogger);

    for (const expected of manifest.jobs) {
      const job = await ledger.get(expected.id);
      expect(job?.state).toBe(expected.state);
      expect(job?.request.prompt).toBe(expected.prompt);
      expect(job?.providerVideoId).toBe(expected.providerVideoId);
    }
    const unfinished = manifest.jobs.filter((j) => !['delivered', 'failed', 'deleted'].includes(j.state));
    expect((await ledger.active()).map((j) => j.id).sort()).toEqual(unfinished.map((j) => j.id).sort());
    // What SoraCore.start does: rebuild each unfinished job's per-state indexes from its record.
    for (const job of unfinished) await ledger.reindex(job.id, Date.now());
    const byState = await ledger.inStates(['waiting', 'rendering', 'delivering']);
    expect(byState.map((j) => `${j.id}:${j.state}`).sort()).toEqual(
      unfinished.map((j) => `${j.id}:${j.state}`).sort(),
    );
    // Listing by channel still works, newest first.
    const channel = manifest.jobs[0]!.channel;
    const listed = await ledger.page({ channel }, 0, 10);
    expect(listed.jobs.map((j) => j.id).sort()).toEqual(
      manifest.jobs
        .filter((j) => j.channel === channel)
        .map((j) => j.id)
        .sort(),
    );
    // The command's idempotency key still points at its job, and the video claims at theirs.
    expect(await ledger.idempotentJobId(manifest.idempotency.key)).toBe(manifest.idempotency.jobId);
    for (const [claim, jobId] of Object.entries(manifest.videoClaims))
      expect(await ledger.jobOfVideo(claim.slice('video:'.length))).toBe(jobId);
    // The Discord link secret is where the adapter now keeps it (links signed before still verify).
    expect((await store.leaseHolder('discord:value:download-link-secret'))?.owner).toMatch(/.{16,}/);
    // Imported once: the old table is gone.
    const tables = store.connection.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    expect(tables.map((t) => t.name)).not.toContain('keyv');
    await store.close();

    // A second start finds nothing to import and the same data.
    const again = await SqliteStore.open(file, { exclusive: true });
    expect((await new JobLedger(again, silentLogger).get(manifest.jobs[0]!.id))?.state).toBe(
      manifest.jobs[0]!.state,
    );
    await again.close();
  });
});
