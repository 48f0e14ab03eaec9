/**
 * Reads the Prometheus text exposition the way a scraper does, for the metrics tests. Not a test file.
 */
import { fetch } from 'undici';

export type Samples = Map<string, number>;

/** `name{a="1",b="2"} 3` lines into `name{a="1",b="2"}` -> 3 (labels in the order printed). */
export function parseExposition(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

/** One sample's value (labels in any order), or undefined when the series is not there. */
export function value(
  samples: Samples,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  for (const [key, sample] of samples) {
    const brace = key.indexOf('{');
    const keyName = brace < 0 ? key : key.slice(0, brace);
    if (keyName !== name) continue;
    const got =
      brace < 0
        ? []
        : key
            .slice(brace + 1, -1)
            .split(',')
            .filter(Boolean)
            .sort();
    if (got.length === wanted.length && got.every((g, i) => g === wanted[i])) return sample;
  }
  return undefined;
}

export async function scrape(baseUrl: string, headers: Record<string, string> = {}): Promise<Samples> {
  const res = await fetch(`${baseUrl}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${await res.text()}`);
  return parseExposition(await res.text());
}

/** Scrapes until `check` holds (no deadline of its own: the test's timeout is the limit). */
export async function scrapeUntil(baseUrl: string, check: (samples: Samples) => boolean): Promise<Samples> {
  for (;;) {
    const samples = await scrape(baseUrl);
    if (check(samples)) return samples;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
