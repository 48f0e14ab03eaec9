/**
 * `sora-bot discord register [--clear] [--guild ID]` and the Discord line of `sora-bot doctor`, as child
 * processes (the real CLI entry) against the fake Discord.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord/index.js';

let fake: FakeDiscord;
let cwd: string;
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeDiscord();
  cwd = mkdtempSync(join(tmpdir(), 'sora-discord-cli-'));
  env = {
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_URL: fake.apiBase,
    SORA_PROVIDER: 'azure',
    AZURE_OPENAI_ENDPOINT: 'https://example.openai.azure.com',
    AZURE_OPENAI_API_KEY: 'not-used-by-register',
  };
});

afterAll(async () => {
  await fake?.close();
  rmSync(cwd, { recursive: true, force: true });
});

it('registers the commands for one guild, idempotently, with the provider’s choices', async () => {
  const first = await runCli(['discord', 'register', '--guild', fake.guild.id], { cwd, env });
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('"sora", "Remix with Sora", "Animate with Sora"');
  expect(first.stdout).toContain('permissions=274878024704');
  const ids = fake.commands(fake.guild.id).map((c) => c.id);
  const second = await runCli(['discord', 'register', '--guild', fake.guild.id], { cwd, env });
  expect(second.code).toBe(0);
  expect(fake.commands(fake.guild.id).map((c) => c.id)).toEqual(ids);

  const sora = fake.commands(fake.guild.id).find((c) => c.name === 'sora') as unknown as {
    options: { name: string; options?: { name: string; choices?: { value: unknown }[] }[] }[];
  };
  const generate = sora.options.find((o) => o.name === 'generate')!;
  // Azure serves sora-2 only, at two sizes: the choices follow the provider's capabilities.
  expect(generate.options?.find((o) => o.name === 'model')?.choices?.map((c) => c.value)).toEqual(['sora-2']);
  expect(generate.options?.find((o) => o.name === 'size')?.choices?.map((c) => c.value)).toEqual([
    '720x1280',
    '1280x720',
  ]);
  expect(fake.commands('global')).toEqual([]);
});

it('removes the bot’s commands from one guild, then globally, with --clear', async () => {
  await runCli(['discord', 'register', '--guild', fake.guild.id], { cwd, env });
  await runCli(['discord', 'register'], { cwd, env });
  expect(fake.commands(fake.guild.id).length).toBeGreaterThan(0);
  expect(fake.commands('global').length).toBeGreaterThan(0);

  const guild = await runCli(['discord', 'register', '--clear', '--guild', fake.guild.id], { cwd, env });
  expect(guild.stderr).toBe('');
  expect(guild.code).toBe(0);
  expect(guild.stdout.trim()).toBe(`Removed the bot's commands from server ${fake.guild.id} (gone now).`);
  expect(fake.commands(fake.guild.id)).toEqual([]);
  // The global set is another scope: untouched until cleared itself.
  expect(fake.commands('global').length).toBeGreaterThan(0);

  const global = await runCli(['discord', 'register', '--clear'], { cwd, env });
  expect(global.code).toBe(0);
  expect(global.stdout).toContain("Removed the bot's commands from every server");
  expect(fake.commands('global')).toEqual([]);
  // Clearing what is already empty is fine.
  expect((await runCli(['discord', 'register', '--clear'], { cwd, env })).code).toBe(0);
});

it('refuses a malformed guild id as a usage problem', async () => {
  const run = await runCli(['discord', 'register', '--guild', 'my-server'], { cwd, env });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--guild expects a server id');
});

it('reports the token, the application id and the registration in sora-bot doctor', async () => {
  const good = await runCli(['doctor'], {
    cwd,
    env: { ...env, SORA_PROVIDER: 'emulator', AZURE_OPENAI_ENDPOINT: '' },
  });
  const line = good.stdout.split('\n').find((l) => l.includes('discord:'));
  expect(line).toMatch(/^\[ok\] {3}discord: @Sora/);
  expect(line).toContain('no global /sora command');
  expect(good.stdout).not.toContain(fake.token);

  const wrongApp = await runCli(['doctor'], {
    cwd,
    env: {
      ...env,
      SORA_PROVIDER: 'emulator',
      AZURE_OPENAI_ENDPOINT: '',
      DISCORD_APPLICATION_ID: '123456789012345678',
    },
  });
  expect(wrongApp.code).toBe(1);
  expect(wrongApp.stdout).toContain(
    `[FAIL] discord: DISCORD_APPLICATION_ID is 123456789012345678 but the token belongs to application ${fake.applicationId}`,
  );

  const badToken = await runCli(['doctor'], {
    cwd,
    env: { ...env, SORA_PROVIDER: 'emulator', AZURE_OPENAI_ENDPOINT: '', DISCORD_TOKEN: 'not.the.token' },
  });
  expect(badToken.stdout).toContain('[FAIL] discord: Discord refused DISCORD_TOKEN (401)');
  expect(badToken.stdout).not.toContain('not.the.token');
});
