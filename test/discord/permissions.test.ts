/**
 * The invite asks for the permissions the code needs, and only those: every permission in
 * adapters/discord/invite.ts names call sites that exist, and every call in adapters/discord that
 * needs a channel permission is covered by the invite.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PermissionFlagsBits } from 'discord.js';
import { expect, it } from 'vitest';
import {
  BOT_PERMISSIONS,
  BOT_PERMISSIONS_INTEGER,
  type BotPermissionName,
  inviteUrl,
} from '../../adapters/discord/invite.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADAPTER = join(ROOT, 'adapters', 'discord');

/**
 * discord.js calls (and payload fields) that Discord checks against the bot's channel permissions,
 * with the permissions each needs. A call not listed here that needs a permission (a new one) must
 * be added here and to the invite.
 */
const CALLS_NEEDING: readonly { call: RegExp; needs: readonly (keyof typeof PermissionFlagsBits)[] }[] = [
  // A conversation can be a thread (discord:G:C:THREAD), where posting needs its own permission.
  { call: /\.send\(/, needs: ['ViewChannel', 'SendMessages', 'SendMessagesInThreads'] },
  { call: /messages\.edit\(/, needs: ['ViewChannel', 'SendMessages'] },
  { call: /messages\.fetch\(|message\.fetch\(\)/, needs: ['ViewChannel', 'ReadMessageHistory'] },
  { call: /\bfiles: \[/, needs: ['AttachFiles'] },
  { call: /\bembeds: \[/, needs: ['EmbedLinks'] },
  { call: /\.react\(/, needs: ['AddReactions', 'ReadMessageHistory'] },
  { call: /threads\.create\(|startThread\(/, needs: ['CreatePublicThreads'] },
  { call: /\.pin\(|\.unpin\(|bulkDelete\(/, needs: ['ManageMessages'] },
  { call: /\.crosspost\(/, needs: ['ManageMessages'] },
];

function adapterSources(): { file: string; text: string }[] {
  return readdirSync(ADAPTER)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({
      file: `adapters/discord/${name}`,
      // Comments may mention any call; only code counts.
      text: readFileSync(join(ADAPTER, name), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''),
    }));
}

it('writes each permission bit as discord.js knows it', () => {
  for (const [key, permission] of Object.entries(BOT_PERMISSIONS))
    expect(permission.bit, key).toBe(PermissionFlagsBits[key as BotPermissionName]);
  expect(BOT_PERMISSIONS_INTEGER).toBe(274878024704n);
  expect(inviteUrl('42')).toBe(
    'https://discord.com/oauth2/authorize?client_id=42&scope=bot+applications.commands&permissions=274878024704',
  );
});

it('asks for every permission a call in the adapter needs', () => {
  const granted = new Set<string>(Object.keys(BOT_PERMISSIONS));
  const needed = new Map<string, string[]>();
  for (const { file, text } of adapterSources())
    for (const { call, needs } of CALLS_NEEDING)
      if (call.test(text)) for (const need of needs) needed.set(need, [...(needed.get(need) ?? []), file]);
  for (const [permission, files] of needed)
    expect(granted.has(permission), `${permission} is needed by ${files.join(', ')}`).toBe(true);
  // And nothing more: each permission asked for is needed by some call.
  expect([...granted].sort()).toEqual([...needed.keys()].filter((p) => granted.has(p)).sort());
});

it('names call sites that exist for every permission it asks for', () => {
  const sources = new Map(adapterSources().map(({ file, text }) => [file, text]));
  for (const permission of Object.values(BOT_PERMISSIONS)) {
    expect(permission.usedAt.length).toBeGreaterThan(0);
    for (const { file, call } of permission.usedAt)
      expect(sources.get(file), `${permission.name}: ${call} in ${file}`).toContain(call);
  }
});
