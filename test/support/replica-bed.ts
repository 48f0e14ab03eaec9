/**
 * What a replica test on real processes needs: a temporary directory, a fresh Redis namespace, the
 * shared journal the replicas post to, and `replica-bot.ts` processes on all of them. `close` kills
 * whatever is left and removes the directory (for afterAll).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningEmulator } from '../../src/sora/emulator/index.js';
import type { RedisStore } from '../../src/store/redis-store.js';
import { REDIS_URL } from './core-harness.js';
import { type ScriptProcess, startScript } from './script-process.js';

const SCRIPT = join(import.meta.dirname, 'replica-bot.ts');

export class ReplicaBed {
  readonly dir: string;
  readonly namespace: string;
  readonly journal: string;
  emulator: RunningEmulator | undefined;
  store: RedisStore | undefined;
  private readonly children = new Set<ChildProcess>();

  constructor(name: string) {
    this.dir = mkdtempSync(join(tmpdir(), `sora-${name}-`));
    this.namespace = `${name}-${process.pid}-${Date.now()}`;
    this.journal = join(this.dir, 'journal.jsonl');
  }

  /** A replica named `name` (its INSTANCE_ID and DATA_DIR) on the emulator; `env` adds to replica-bot.ts's. */
  startReplica(name: string, env: Record<string, string>): ScriptProcess {
    if (!this.emulator) throw new Error('start the emulator first');
    const replica = startScript(SCRIPT, {
      env: {
        ...process.env,
        REDIS_URL,
        NAMESPACE: this.namespace,
        EMULATOR_URL: this.emulator.url,
        JOURNAL: this.journal,
        DATA_DIR: join(this.dir, name),
        INSTANCE_ID: name,
        ...env,
      },
      readyLine: /ready/,
    });
    this.children.add(replica.child);
    return replica;
  }

  async close(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await this.store?.close();
    await this.emulator?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
