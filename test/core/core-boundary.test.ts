/**
 * The core imports no platform SDK (and nothing from the adapters): it must stay platform-neutral.
 * Nor a metrics library: it reports through its CoreMetrics port (src/core/metrics.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(import.meta.dirname, '../../src/core');
const FORBIDDEN = [
  /['"]@slack\//,
  /['"]discord\.js['"]/,
  /['"]@discordjs\//,
  /adapters\//,
  /['"]ws['"]/,
  /['"]prom-client['"]/,
  /['"]\.\.\/metrics\//,
];

describe('the core boundary', () => {
  it('imports no platform SDK and no adapter', () => {
    const offenders: string[] = [];
    for (const file of readdirSync(CORE).filter((f) => f.endsWith('.ts'))) {
      const imports = readFileSync(join(CORE, file), 'utf8')
        .split('\n')
        // `from '...'` wherever it stands: the last line of a multi-line import carries it.
        .filter(
          (line) => /\bfrom\s+['"]/.test(line) || /import\(/.test(line) || /^\s*import\s+['"]/.test(line),
        );
      for (const line of imports)
        if (FORBIDDEN.some((re) => re.test(line))) offenders.push(`${file}: ${line.trim()}`);
    }
    expect(offenders).toEqual([]);
  });
});
