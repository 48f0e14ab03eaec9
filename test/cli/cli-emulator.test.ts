/** `sora-bot emulator`: runs alone, prints where it listens and how to point a client at it, stops on SIGINT. */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoraClient } from '../../src/sora/client/index.js';
import { spawnCli } from './run-cli.js';

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'sora-cli-emulator-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('sora-bot emulator', () => {
  it('serves the Videos API until SIGINT, and prints the variables for both flavours', async () => {
    // A job is `queued` for the first 10% of --render-ms: 2 s, not 10 ms, so a loaded machine still sees it.
    const child = spawnCli(['emulator', '--port', '0', '--render-ms', '20000'], { cwd });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = once(child, 'exit');
    try {
      while (!stdout.includes('Stop with Ctrl+C.')) {
        if (child.exitCode !== null) throw new Error(`emulator exited early: ${stdout}`);
        await once(child.stdout, 'data');
      }
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      expect(url).toBeDefined();
      const key = /OPENAI_API_KEY=(\S+)/.exec(stdout)?.[1];
      expect(stdout).toContain(`OPENAI_BASE_URL=${url}/v1`);
      expect(stdout).toContain(`AZURE_OPENAI_ENDPOINT=${url} AZURE_OPENAI_API_KEY=${key}`);
      const client = new SoraClient({ kind: 'openai', baseUrl: `${url}/v1`, apiKey: key! });
      expect((await client.create({ prompt: 'a kite' })).status).toBe('queued');
    } finally {
      child.kill('SIGINT');
    }
    const [code] = await exited;
    expect(code).toBe(0);
  });
});

describe('sora-bot video create --wait, interrupted', () => {
  it('stops polling on SIGINT, names the job that keeps rendering, and exits 130', async () => {
    const { startEmulator } = await import('../../src/sora/emulator/index.js');
    const emulator = await startEmulator({ renderMs: 600_000, apiKey: 'sk-interrupt' });
    try {
      const child = spawnCli(
        ['video', 'create', '--prompt', 'a very slow render', '--wait', '--out', 'slow.mp4'],
        {
          cwd,
          env: {
            SORA_PROVIDER: 'openai',
            OPENAI_BASE_URL: emulator.openaiBaseUrl,
            OPENAI_API_KEY: 'sk-interrupt',
          },
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = once(child, 'exit');
      while (!/: (queued|in_progress) \d+%/.test(stderr)) {
        if (child.exitCode !== null) throw new Error(`exited early: ${stderr}`);
        await once(child.stderr, 'data');
      }
      child.kill('SIGINT');
      const [code] = await exited;
      expect(code).toBe(130);
      const id = emulator.videos()[0]?.id;
      expect(stderr.trim().split('\n').at(-1)).toBe(
        `interrupted: ${id} keeps rendering on the provider; check it with sora-bot video get ${id}`,
      );
    } finally {
      await emulator.close();
    }
  });
});
