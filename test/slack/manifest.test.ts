/**
 * manifest.yml against the code: every slash command, shortcut, event and scope the adapter uses is
 * declared, and nothing more. The used methods and events are read from the adapter's source, so a new
 * Web API call without its scope in app-requirements.ts and the manifest fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EVENT_SCOPES,
  listenedEventType,
  METHOD_SCOPES,
  SLACK_APP_REQUIREMENTS,
} from '../../adapters/slack/app-requirements.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A small reader for the manifest's YAML subset (block mappings and sequences, scalar values): returns
 * every sequence item's scalar or `key: value` pairs under its dotted path, e.g.
 * `oauth_config.scopes.bot` -> ['chat:write', ...], `features.slash_commands` -> [{command: '/sora', ...}].
 */
function readManifest(text: string) {
  const scalars = new Map<string, string>();
  const lists = new Map<string, (string | Record<string, string>)[]>();
  const stack: { indent: number; key: string }[] = [];
  let currentItem: Record<string, string> | undefined;
  let itemIndent = -1;
  for (const raw of text.split('\n')) {
    if (!raw.trim() || raw.trim().startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (currentItem && indent > itemIndent && !line.startsWith('- ')) {
      const [k, ...v] = line.split(':');
      currentItem[k!.trim()] = unquote(v.join(':').trim());
      continue;
    }
    currentItem = undefined;
    while (stack.length && stack.at(-1)!.indent >= indent) stack.pop();
    const path = stack.map((s) => s.key).join('.');
    if (line.startsWith('- ')) {
      const item = line.slice(2);
      const list = lists.get(path) ?? [];
      lists.set(path, list);
      const colon = item.indexOf(': ');
      if (colon === -1) list.push(unquote(item));
      else {
        currentItem = { [item.slice(0, colon)]: unquote(item.slice(colon + 2)) };
        itemIndent = indent;
        list.push(currentItem);
      }
      continue;
    }
    const colon = line.indexOf(':');
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (value) scalars.set(path ? `${path}.${key}` : key, unquote(value));
    else stack.push({ indent, key });
  }
  return { scalars, lists };
}

function unquote(value: string): string {
  return value.replace(/^"(.*)"$/, '$1');
}

function adapterSource(): string {
  const dir = join(ROOT, 'adapters', 'slack');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

const manifest = readManifest(readFileSync(join(ROOT, 'manifest.yml'), 'utf8'));

describe('manifest.yml', () => {
  it('declares the slash command, the shortcut, the events and Socket Mode', () => {
    const commands = manifest.lists.get('features.slash_commands') as Record<string, string>[];
    expect(commands.map((c) => c.command)).toEqual([...SLACK_APP_REQUIREMENTS.commands]);
    expect(commands[0]?.usage_hint).toBeTruthy();
    expect(commands[0]?.should_escape).toBe(String(SLACK_APP_REQUIREMENTS.commandsEscaped));
    const shortcuts = manifest.lists.get('features.shortcuts') as Record<string, string>[];
    expect(shortcuts.map((s) => s.callback_id)).toEqual([...SLACK_APP_REQUIREMENTS.shortcuts]);
    expect(shortcuts[0]?.type).toBe('message');
    expect([...(manifest.lists.get('settings.event_subscriptions.bot_events') ?? [])].sort()).toEqual(
      [...SLACK_APP_REQUIREMENTS.events].sort(),
    );
    expect(manifest.scalars.get('settings.interactivity.is_enabled')).toBe('true');
    const { appHome } = SLACK_APP_REQUIREMENTS;
    expect(manifest.scalars.get('features.app_home.home_tab_enabled')).toBe(String(appHome.homeTab));
    expect(manifest.scalars.get('features.app_home.messages_tab_enabled')).toBe(String(appHome.messagesTab));
    expect(manifest.scalars.get('features.app_home.messages_tab_read_only_enabled')).toBe(
      String(appHome.messagesTabReadOnly),
    );
    expect(manifest.scalars.get('settings.socket_mode_enabled')).toBe('true');
    expect(manifest.scalars.get('features.bot_user.display_name')).toBe('sora-bot');
  });

  it('asks for exactly the scopes the code uses', () => {
    expect(manifest.lists.get('oauth_config.scopes.bot')).toEqual([...SLACK_APP_REQUIREMENTS.scopes]);
    for (const scope of [
      'commands',
      'chat:write',
      'chat:write.public',
      'files:write',
      'files:read',
      'reactions:read',
    ])
      expect(SLACK_APP_REQUIREMENTS.scopes).toContain(scope);
  });

  it('covers every Web API method and event in the adapter source', () => {
    const source = adapterSource();
    const methods = new Set(
      [...source.matchAll(/\.(?:call|tryProgress)\(\s*'([a-zA-Z.]+)'/g)].map((m) => m[1]!),
    );
    for (const m of source.matchAll(/client\(.*?\)\.([a-z]+)\.([a-zA-Z]+)\(/g))
      methods.add(`${m[1]}.${m[2]}`);
    expect(methods.size).toBeGreaterThan(8);
    const known = Object.keys(METHOD_SCOPES);
    // apps.connections.open takes the app-level token (connections:write), not a bot scope.
    expect([...methods].filter((m) => !known.includes(m) && m !== 'apps.connections.open')).toEqual([]);
    // …and no scope is asked for a method the code no longer calls.
    expect(known.filter((m) => !methods.has(m))).toEqual([]);
    const events = new Set([...source.matchAll(/app\.event\(\s*'([a-z_]+)'/g)].map((m) => m[1]!));
    // A `message.im` subscription is heard as `message` (Bolt's event type).
    expect([...events].sort()).toEqual([...new Set(Object.keys(EVENT_SCOPES).map(listenedEventType))].sort());
    const commands = [...source.matchAll(/SLASH_COMMAND = '([^']+)'/g)].map((m) => m[1]);
    expect(commands).toEqual([...SLACK_APP_REQUIREMENTS.commands]);
  });
});
