/**
 * The Discord adapter's money parts that need no Discord: the approval card's buttons, the usage
 * message (embed, chart attachment, escaping), the budget and usage commands' definitions, and the
 * prices written into the modals.
 */
import { ButtonStyle, ComponentType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../adapters/discord/command-definitions.js';
import { animateModal, remixModal } from '../../adapters/discord/modals.js';
import { renderMessage } from '../../adapters/discord/render-message.js';
import type { JobView } from '../../src/core/messages.js';
import { formatUsd, PriceTable } from '../../src/core/pricing.js';
import { CAPABILITIES } from '../../src/sora/capabilities.js';

const job: JobView = {
  id: 'k3f9qz',
  prompt: 'a fox',
  seconds: '12',
  size: '720x1280',
  model: 'sora-2-pro',
  state: 'waiting',
  progress: 0,
  requesterUser: '100000000000000001',
  requesterName: 'Alice',
  remixOf: null,
  hasImage: false,
  createdAt: 0,
  failureCode: null,
  costMicros: 3_600_000,
  approval: 'pending',
};

describe('the approval card', () => {
  it('puts a green Approve and a red Deny under a status waiting for an admin, with the cost', () => {
    const payload = renderMessage({
      kind: 'status',
      job,
      phase: 'approval',
      progress: 0,
      queuePosition: null,
      etaMs: null,
      actions: [
        { kind: 'approve', jobId: job.id, label: 'Approve' },
        { kind: 'deny', jobId: job.id, label: 'Deny' },
      ],
    });
    expect(payload.content).toContain('about $3.60');
    expect(payload.content).toContain('Waiting for an admin');
    const buttons = payload.components[0]!.components.map((b) => ({
      style: b.style,
      id: 'custom_id' in b ? b.custom_id : null,
    }));
    expect(buttons).toEqual([
      { style: ButtonStyle.Success, id: 'sora:approve:k3f9qz' },
      { style: ButtonStyle.Danger, id: 'sora:deny:k3f9qz' },
    ]);
  });

  it('drops the buttons once the status moves on', () => {
    const payload = renderMessage({
      kind: 'status',
      job: { ...job, approval: 'approved' },
      phase: 'queued',
      progress: 0,
      queuePosition: 1,
      etaMs: null,
      actions: [],
    });
    expect(payload.components).toEqual([]);
  });
});

describe('the usage message', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

  it('shows the chart inside the embed, attached with its alt text, and escapes names', () => {
    const payload = renderMessage({
      kind: 'usage',
      title: 'Sora spend, 2026-11 (UTC), the workspace',
      lines: ['Total: $4.00 · 3 videos', 'Per person: **al** $4.00 (3)'],
      chart: { png, filename: 'sora-usage-2026-11.png', alt: 'Spend per day, 2026-11' },
    });
    expect(payload.allowedMentions).toEqual({ parse: [] });
    expect(payload.embeds[0]?.description).toContain('\\*\\*al\\*\\*');
    expect(payload.embeds[0]?.image?.url).toBe('attachment://sora-usage-2026-11.png');
    expect(payload.files).toHaveLength(1);
    expect(payload.files![0]!.name).toBe('sora-usage-2026-11.png');
    expect(payload.files![0]!.description).toBe('Spend per day, 2026-11');
    expect([...payload.files![0]!.attachment.subarray(0, 8)]).toEqual([...png.subarray(0, 8)]);
  });

  it('is text alone when the chart could not be drawn', () => {
    const payload = renderMessage({ kind: 'usage', title: 'Spend', lines: ['Total: $0.00'], chart: null });
    expect(payload.files).toBeUndefined();
    expect(payload.embeds[0]?.image).toBeUndefined();
  });
});

describe('the budget and usage commands', () => {
  it('offer a USER option for a person’s limit and a free period, within Discord’s limits', () => {
    const [sora] = commandDefinitions(CAPABILITIES.openai);
    const subs = (sora as { options: { name: string; options?: { name: string; type: number }[] }[] })
      .options;
    const budget = subs.find((o) => o.name === 'budget')!;
    expect(budget.options?.map((o) => [o.name, o.type])).toEqual([
      ['workspace', 3],
      ['user', 6],
      ['amount', 3],
    ]);
    expect(subs.find((o) => o.name === 'usage')?.options?.map((o) => o.name)).toEqual(['period']);
    for (const d of JSON.stringify(sora).matchAll(/"description":"([^"]+)"/g))
      expect(d[1]!.length).toBeLessThanOrEqual(100);
  });
});

describe('prices in the modals', () => {
  const prices = new PriceTable();
  const pricing = {
    capabilities: CAPABILITIES.openai,
    defaultModel: 'sora-2',
    estimateCost: (o: { model: string; size: string; seconds: string }) =>
      prices.estimate({ provider: 'openai', ...o }),
  };

  it('titles a remix with what it costs, within 45 characters', () => {
    expect(remixModal('k3f9qz', 400_000).title).toBe('Remix k3f9qz · about $0.40');
    expect(remixModal('k3f9qz', null).title).toBe('Remix k3f9qz');
  });

  it('prices every length and every model of the animate modal, since it cannot update while open', () => {
    const modal = animateModal('123', '1280x720', pricing);
    const labels = modal.components as {
      type: number;
      label: string;
      description?: string;
      component: { type: number; custom_id: string; options?: { label: string; value: string }[] };
    }[];
    expect(labels.every((l) => l.type === ComponentType.Label && l.label.length <= 45)).toBe(true);
    const [prompt, length, model] = labels;
    expect(prompt?.component.custom_id).toBe('prompt');
    expect(length?.component.options?.map((o) => o.label)).toEqual([
      `4 seconds · about ${formatUsd(400_000)}`,
      `8 seconds · about ${formatUsd(800_000)}`,
      `12 seconds · about ${formatUsd(1_200_000)}`,
    ]);
    expect(model?.component.options?.map((o) => o.label)).toEqual([
      'sora-2 · $0.10 a second',
      'sora-2-pro · $0.30 a second',
    ]);
    for (const l of labels) expect((l.description ?? '').length).toBeLessThanOrEqual(100);
    // Azure has one model: no model choice.
    expect(
      animateModal('123', '720x1280', { ...pricing, capabilities: CAPABILITIES.azure }).components,
    ).toHaveLength(2);
  });
});
