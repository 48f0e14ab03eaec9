/**
 * The emulator's job store keeps each owner's jobs in creation order and the unfinished ones apart, so
 * a list or a create never sorts or scans every job there is. What it answers must stay what a full
 * sort and scan would: checked here against one, across owners, deletes and a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobStore } from '../../src/sora/emulator/job-store.js';
import { isTerminalAt, type JobRecord } from '../../src/sora/emulator/lifecycle.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function job(store: JobStore, id: string, owner: string, createdAtMs: number, renderMs = 1_000): JobRecord {
  return {
    id,
    owner,
    flavour: 'openai',
    model: 'sora-2',
    size: '1280x720',
    seconds: '4',
    prompt: id,
    createdAtMs,
    seq: store.nextSeq(),
    renderMs,
    finishAtMs: createdAtMs + renderMs,
    outcome: { kind: 'completed' },
    remixedFromVideoId: null,
    image: undefined,
  } as JobRecord;
}

const ids = (jobs: JobRecord[]) => jobs.map((j) => j.id);

describe('the emulator job store', () => {
  it('lists each owner’s jobs in creation order, ties by creation, a clock step back included', () => {
    const store = new JobStore();
    store.add(job(store, 'a1', 'a', 100));
    store.add(job(store, 'b1', 'b', 100));
    store.add(job(store, 'a2', 'a', 100));
    store.add(job(store, 'a3', 'a', 300));
    store.add(job(store, 'a0', 'a', 50)); // the clock stepped back
    expect(ids(store.byOwner('a', 'asc'))).toEqual(['a0', 'a1', 'a2', 'a3']);
    expect(ids(store.byOwner('a', 'desc'))).toEqual(['a3', 'a2', 'a1', 'a0']);
    expect(ids(store.byOwner('b', 'asc'))).toEqual(['b1']);
    expect(store.byOwner('nobody', 'asc')).toEqual([]);
    // A caller may change what it got without changing the store.
    store.byOwner('a', 'asc').pop();
    expect(store.byOwner('a', 'asc')).toHaveLength(4);
  });

  it('counts as unfinished what a scan of every job would, and forgets a deleted job', () => {
    const store = new JobStore();
    for (let i = 0; i < 20; i++)
      store.add(job(store, `j${i}`, i % 3 === 0 ? 'other' : 'a', i * 10, 100 + i * 7));
    let removed = '';
    for (const now of [0, 95, 150, 200, 260, 400]) {
      const scanned = store.byOwner('a', 'asc').filter((j) => !isTerminalAt(j, now));
      expect(ids(store.unfinished('a', now, isTerminalAt))).toEqual(ids(scanned));
      if (now === 150) removed = store.remove('a', scanned[0]!.id)!.id;
    }
    expect(removed).not.toBe('');
    expect(ids(store.byOwner('a', 'asc'))).not.toContain(removed);
    expect(store.unfinished('a', 1_000, isTerminalAt)).toEqual([]);
  });

  it('removes a job from its owner’s list, and only its owner can', () => {
    const store = new JobStore();
    store.add(job(store, 'a1', 'a', 1));
    store.add(job(store, 'a2', 'a', 2));
    expect(store.remove('b', 'a1')).toBeUndefined();
    expect(store.remove('a', 'a1')?.id).toBe('a1');
    expect(ids(store.byOwner('a', 'asc'))).toEqual(['a2']);
    expect(ids(store.unfinished('a', 0, isTerminalAt))).toEqual(['a2']);
  });

  it('comes back from its state file in the same order, with the same unfinished jobs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sora-emulator-store-'));
    dirs.push(dir);
    const stateFile = join(dir, 'jobs.json');
    const before = new JobStore(stateFile);
    before.add(job(before, 'late', 'a', 500));
    before.add(job(before, 'early', 'a', 100));
    before.add(job(before, 'long', 'a', 200, 10_000));
    const after = new JobStore(stateFile);
    expect(ids(after.byOwner('a', 'asc'))).toEqual(['early', 'long', 'late']);
    expect(ids(after.unfinished('a', 2_000, isTerminalAt))).toEqual(['long']);
    after.add(job(after, 'next', 'a', 600));
    expect(ids(after.byOwner('a', 'desc'))).toEqual(['next', 'late', 'long', 'early']);
  });
});
