/** `sora-bot doctor` checks every deployment of SORA_POOL, naming the one that fails (never its key). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DoctorContext, runDoctor } from '../../src/cli/doctor.js';
import { configurationCheck, providerCheck } from '../../src/cli/doctor-checks.js';
import { parseConfig } from '../../src/config.js';
import { type RunningEmulator, startEmulator } from '../../src/sora/emulator/index.js';

let east: RunningEmulator;
let west: RunningEmulator;
beforeAll(async () => {
  east = await startEmulator({ apiKey: 'sk-east' });
  west = await startEmulator({ apiKey: 'sk-west' });
});
afterAll(async () => {
  await east.close();
  await west.close();
});

async function doctor(): Promise<{ code: number; out: string }> {
  const config = parseConfig({
    SORA_POOL: JSON.stringify([
      { name: 'east', flavour: 'emulator', baseUrl: east.openaiBaseUrl, apiKeyEnv: 'EAST_KEY' },
      { name: 'west', flavour: 'emulator', baseUrl: west.openaiBaseUrl, apiKeyEnv: 'WEST_KEY' },
    ]),
    EAST_KEY: 'sk-east',
    WEST_KEY: 'sk-west',
  });
  const lines: string[] = [];
  const ctx: DoctorContext = {
    config,
    configProblem: undefined,
    provider: () => Promise.reject(new Error('a pool has no single provider')),
  };
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  const code = await runDoctor([configurationCheck, providerCheck], ctx, io as never);
  return { code, out: lines.join('\n') };
}

describe('doctor with a pool', () => {
  it('checks every deployment and names the one that fails', async () => {
    const healthy = await doctor();
    expect(healthy.code).toBe(0);
    expect(healthy.out).toContain('east answered and accepted its key; west answered and accepted its key');
    west.setOutage(503);
    const sick = await doctor();
    west.setOutage(null);
    expect(sick.code).not.toBe(0);
    expect(sick.out).toMatch(/\[FAIL\] sora provider: 1 of 2 deployments failed: west: /);
    expect(sick.out).not.toContain('sk-west');
  });
});
