/**
 * The parts of the metrics that need no running bot: who may read /metrics for each bind and setting,
 * how a provider path becomes an endpoint label, Slack's status-edit budget reporting what it holds
 * back (the real StatusEditBudget and the real registry, read as Prometheus text), and the Grafana
 * dashboard asking only for series the bot exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StatusEditBudget } from '../../adapters/slack/status-edit-budget.js';
import { parseConfig } from '../../src/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { BotMetrics } from '../../src/metrics/bot-metrics.js';
import { isLoopbackHost, metricsAccess } from '../../src/metrics/metrics-access.js';
import { endpointOf } from '../../src/sora/client/request-events.js';
import { parseExposition, value } from './scrape.js';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('metricsAccess', () => {
  const access = (env: Record<string, string>) => metricsAccess(parseConfig(env));

  it('is open on a loopback bind and off on any other without a token', () => {
    for (const host of ['127.0.0.1', '127.0.0.53', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'sora.example.com', '128.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false);
    expect(access({})).toEqual({ mode: 'open' });
    const off = access({ HOST: '0.0.0.0' });
    expect(off.mode).toBe('off');
    // One sentence that names the setting to change.
    expect(off.mode === 'off' && off.reason.split('\n')).toHaveLength(1);
  });

  it('wants the token wherever one is set, serves open on METRICS=on, and nothing on METRICS=off', () => {
    expect(access({ HOST: '0.0.0.0', METRICS_TOKEN: TOKEN })).toEqual({ mode: 'token', token: TOKEN });
    expect(access({ METRICS_TOKEN: TOKEN })).toEqual({ mode: 'token', token: TOKEN });
    expect(access({ HOST: '0.0.0.0', METRICS: 'on' })).toEqual({ mode: 'open' });
    expect(access({ METRICS: 'off', METRICS_TOKEN: TOKEN }).mode).toBe('off');
  });

  it('refuses a token too short to be a secret, naming the variable', () => {
    expect(() => parseConfig({ METRICS_TOKEN: 'short' })).toThrow(/^METRICS_TOKEN: expected a secret of 16/);
    expect(() => parseConfig({ METRICS: 'maybe' })).toThrow(/^METRICS: expected 1 or 0/);
  });
});

describe('endpointOf', () => {
  it('names each Videos API call, never by its video id', () => {
    expect(endpointOf('POST', '/videos')).toBe('create');
    expect(endpointOf('GET', '/videos')).toBe('list');
    expect(endpointOf('GET', '/videos/video_123')).toBe('retrieve');
    expect(endpointOf('DELETE', '/videos/video_123')).toBe('delete');
    expect(endpointOf('POST', '/videos/video_123/remix')).toBe('remix');
    expect(endpointOf('GET', '/videos/video_123/content')).toBe('content');
    expect(endpointOf('GET', '/models')).toBe('other');
    expect(endpointOf('PUT', '/videos/video_123')).toBe('other');
  });
});

describe("Slack's status-edit budget in the metrics", () => {
  it('counts each deferred edit and shows the edits waiting right now', async () => {
    const metrics = new BotMetrics({ processMetrics: false });
    const budget = new StatusEditBudget({
      perMinute: 60,
      burst: 1,
      logger: silentLogger,
      now: () => 0,
      onDeferred: () => metrics.statusEditDeferred('slack'),
    });
    metrics.watchStatusEdits('slack', () => budget.waiting);
    const read = async () => parseExposition((await metrics.exposition()).body);

    const before = await read();
    expect(value(before, 'sora_status_edits_deferred_total', { platform: 'slack' })).toBe(0);
    expect(value(before, 'sora_status_edits_waiting', { platform: 'slack' })).toBe(0);

    const sent: string[] = [];
    const edit = (label: string) => async () => void sent.push(label);
    await budget.intermediate('T1', 'a', edit('a1'));
    await budget.intermediate('T1', 'a', edit('a2'));
    await budget.intermediate('T1', 'b', edit('b1'));
    expect(sent).toEqual(['a1']);
    const held = await read();
    expect(value(held, 'sora_status_edits_deferred_total', { platform: 'slack' })).toBe(2);
    expect(value(held, 'sora_status_edits_waiting', { platform: 'slack' })).toBe(2);

    // A final edit goes out at once and takes its message's waiting edit with it.
    await budget.final('T1', 'a', edit('a-final'));
    expect(value(await read(), 'sora_status_edits_waiting', { platform: 'slack' })).toBe(1);
    budget.close();
  });
});

describe('docs/grafana-dashboard.json', () => {
  it('queries only series the bot exports, through the datasource variable', async () => {
    const metrics = new BotMetrics();
    metrics.watchStatusEdits('slack', () => 0);
    const { body } = await metrics.exposition();
    const exported = new Set([...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]!));
    const dashboard = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../docs/grafana-dashboard.json'), 'utf8'),
    ) as { panels: { type: string; datasource?: { uid: string }; targets?: { expr: string }[] }[] };
    const queried = new Set<string>();
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      // Grafana's variable syntax, not a template string: the panel follows the chosen datasource.
      expect(panel.datasource?.uid).toBe(['$', '{datasource}'].join(''));
      for (const target of panel.targets ?? [])
        for (const [name] of target.expr.matchAll(/\b(sora|process|nodejs)_[a-z0-9_]+/g))
          queried.add(name.replace(/_(bucket|count|sum)$/, ''));
    }
    expect(queried.size).toBeGreaterThan(10);
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });
});
