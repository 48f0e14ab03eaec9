/** Logs: JSON lines by default, readable lines (pino-pretty) for a terminal, redacted either way. */
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../src/logging.js';

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

it('writes one JSON object a line when not told otherwise', () => {
  const out = collector();
  createLogger('info', out.stream).info({ jobId: 'k3f9qz', token: 'xoxb-secret' }, 'job delivered');
  const record = JSON.parse(out.text().trim()) as Record<string, unknown>;
  expect(record).toMatchObject({
    app: 'sora-bot',
    msg: 'job delivered',
    jobId: 'k3f9qz',
    token: '[redacted]',
  });
});

it('writes readable lines for a terminal, with the same redaction', () => {
  const out = collector();
  createLogger('info', { destination: out.stream, pretty: true }).warn(
    { jobId: 'k3f9qz', apiKey: 'sk-secret' },
    'upload retried',
  );
  const text = out.text();
  expect(text.startsWith('{')).toBe(false);
  expect(text).toMatch(/WARN.*upload retried/);
  expect(text).toContain('k3f9qz');
  expect(text).not.toContain('sk-secret');
  expect(text).toContain('[redacted]');
});
