/**
 * An adapter's front door on one more replica: a SoraCore on the shared store that runs no loops.
 * It takes commands and writes the jobs; the replica processes under test do the work.
 */
import { join } from 'node:path';
import { parseConfig } from '../../src/config.js';
import { SoraCore } from '../../src/core/sora-core.js';
import { createProvider, EMULATOR_API_KEY } from '../../src/sora/index.js';
import type { Store } from '../../src/store/store.js';
import { fastCoreSettings } from './fast-core-settings.js';
import { JournalSurface } from './journal-surface.js';

export function openFrontDoor(store: Store, emulatorUrl: string, dir: string, journal: string): SoraCore {
  const provider = createProvider(parseConfig({ SORA_PROVIDER: 'emulator' }), {
    emulatorUrl,
    emulatorApiKey: EMULATOR_API_KEY,
  });
  const front = new SoraCore({ provider, store, settings: fastCoreSettings(join(dir, 'front')) });
  front.registerSurface(new JournalSurface(journal));
  return front;
}

/** Queues `count` jobs one after the other (prompt `PREFIX i`, from the user `userOf(i)`); returns their ids. */
export async function queueJobs(
  front: SoraCore,
  count: number,
  prefix: string,
  userOf: (i: number) => string,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const parsed = front.parse(`${prefix} ${i}`);
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const outcome = await front.run({
      requester: { platform: 'playground', workspace: 'local', user: userOf(i) },
      channel: 'playground:room',
      conversation: 'playground:room',
      intent: parsed.intent,
    });
    if (outcome.kind !== 'job') throw new Error(JSON.stringify(outcome));
    ids.push(outcome.job.id);
  }
  return ids;
}
