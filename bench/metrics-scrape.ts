/**
 * Does scraping /metrics slow the bot down? (run: `npx tsx bench/metrics-scrape.ts [JOBS] [RENDER_MS]
 * [--plain-first]`, default 1000 jobs, 2000 ms renders). Issue 11's performance goal: /metrics scraped
 * at 10 requests a second during the core benchmark changes its completion-to-delivery p99 by nothing
 * measurable.
 *
 * The scenario is bench/core-queue.ts's (its `runPass`: 1,000 jobs from 50 requesters at once through
 * the real SoraCore on a SQLite file, the emulator behind a counting proxy in a child process), run
 * in the same process with the bot's metrics on, as `sora-bot start` has them on loopback
 * (BotMetrics: the core's port, the client's request observer, Node's process series), either
 * - scraped: GET /metrics over real HTTP on the bot's HttpServer every 100 ms, one scrape at a time
 *   (as Prometheus does), by a scraper in a process of its own (this file with `--scraper URL`), from
 *   before the first command to after the last delivery; or
 * - not scraped.
 * After a warm-up pass (full size, scraped, not reported), the passes run in the order scraped, not,
 * not, scraped: a drift of the shared machine during the run weighs on both sides alike, and the two
 * passes of each kind show how far a pass differs from its own twin (the noise to beat). Latency on a
 * shared machine is noisy, so the report also gives what scraping costs directly: the bot's CPU time
 * per pass, and the time the bot spent producing the text (every exposition, timed in the bot).
 *
 * Figures, not assertions: this is never part of the test suite.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fetch } from 'undici';
import { silentLogger } from '../src/core/logger.js';
import { HttpServer } from '../src/http/http-server.js';
import { mountMetrics } from '../src/http/metrics-route.js';
import { BotMetrics } from '../src/metrics/bot-metrics.js';
import { type PassResult, percentile, runPass, startProviderSide } from './core-queue.js';

const SCRAPE_EVERY_MS = 100;

interface Scraping {
  scrapes: number;
  failures: number;
  /** Time of each scrape, request to last byte, ms. */
  ms: number[];
  lastBytes: number;
}

/** The scraper process: scrapes `url` every SCRAPE_EVERY_MS, never two at once, until its stdin ends. */
async function scraperSide(url: string): Promise<void> {
  const into: Scraping = { scrapes: 0, failures: 0, ms: [], lastBytes: 0 };
  let stopped = false;
  process.stdin.resume();
  process.stdin.on('end', () => {
    stopped = true;
  });
  process.stdout.write('ready\n');
  while (!stopped) {
    const start = performance.now();
    try {
      const res = await fetch(url);
      const body = await res.text();
      if (res.status === 200) into.lastBytes = Buffer.byteLength(body);
      else into.failures++;
    } catch {
      into.failures++;
    }
    const took = performance.now() - start;
    into.scrapes++;
    into.ms.push(took);
    await sleep(Math.max(0, SCRAPE_EVERY_MS - took));
  }
  process.stdout.write(`${JSON.stringify(into)}\n`);
}

/** Starts a scraper process on `url`; the returned stop() ends it and hands back what it measured. */
async function startScraper(url: string): Promise<() => Promise<Scraping>> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--scraper', url], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error('the scraper did not start');
  return async () => {
    child.stdin!.end();
    const result = await lines.next();
    return JSON.parse(String(result.value)) as Scraping;
  };
}

/** The bot's side of the scrapes: how long each exposition took, ms. */
const expositionMs: number[] = [];

interface Measured {
  result: PassResult;
  /** The bot process's CPU time (user + system) during the pass, seconds. */
  cpuSeconds: number;
}

async function main(): Promise<void> {
  const [jobsArg, renderArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const plainFirst = process.argv.includes('--plain-first');
  const jobs = Number(jobsArg ?? 1000);
  const renderMs = Number(renderArg ?? 2000);
  const poll = {
    pollInitialMs: Math.round(Math.max(100, Math.min(2_000, renderMs / 10))),
    pollMaxMs: Math.round(Math.max(250, Math.min(15_000, renderMs / 4))),
  };
  const { child, url } = await startProviderSide(renderMs);
  try {
    process.stderr.write(`provider side ready at ${url}; ${jobs} jobs, renders of ${renderMs} ms\n`);
    // One registry for the whole run, as one bot process has (and one set of Node's collectors).
    const metrics = new BotMetrics();
    // Full size and scraped: the first big pass of a process runs markedly slower (JIT, heap growth,
    // the SQLite page cache), and no reported pass of either kind may be the one that pays for it.
    await pass(metrics, 'warm-up', url, jobs, renderMs, poll, {
      scrapes: 0,
      failures: 0,
      ms: [],
      lastBytes: 0,
    });
    expositionMs.length = 0;
    const scraping: Scraping = { scrapes: 0, failures: 0, ms: [], lastBytes: 0 };
    const load = loadavg()[0]!;
    type Kind = 'scraped' | 'not scraped';
    const run = (kind: Kind, n: number) =>
      pass(metrics, `${kind} ${n}`, url, jobs, renderMs, poll, kind === 'scraped' ? scraping : undefined);
    // `--plain-first` swaps the order (not, scraped, scraped, not), to tell the order from the kind.
    const [a, b]: [Kind, Kind] = plainFirst ? ['not scraped', 'scraped'] : ['scraped', 'not scraped'];
    const runs = [await run(a, 1), await run(b, 1), await run(b, 2), await run(a, 2)];
    const of = (kind: string) => runs.filter((r) => r.result.name.startsWith(kind)) as [Measured, Measured];
    printReport(jobs, renderMs, of('not scraped'), of('scraped'), scraping, [load, loadavg()[0]!]);
  } finally {
    child.stdin?.end();
  }
}

/** One core-queue pass with the bot's metrics and its HTTP server; scraped when `scraping` is given. */
async function pass(
  metrics: BotMetrics,
  name: string,
  proxyUrl: string,
  jobs: number,
  renderMs: number,
  poll: { pollInitialMs: number; pollMaxMs: number },
  scraping: Scraping | undefined,
): Promise<Measured> {
  const http = new HttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
  mountMetrics(http, {
    access: { mode: 'open' },
    exposition: async () => {
      const start = performance.now();
      const text = await metrics.exposition();
      expositionMs.push(performance.now() - start);
      return text;
    },
  });
  const base = await http.listen();
  const stopScraper = scraping ? await startScraper(`${base}/metrics`) : undefined;
  const cpu = process.cpuUsage();
  try {
    const result = await runPass(name, 3, proxyUrl, jobs, renderMs, poll, undefined, { metrics });
    const used = process.cpuUsage(cpu);
    return { result, cpuSeconds: (used.user + used.system) / 1e6 };
  } finally {
    if (stopScraper && scraping) {
      const got = await stopScraper();
      scraping.scrapes += got.scrapes;
      scraping.failures += got.failures;
      scraping.ms.push(...got.ms);
      scraping.lastBytes = got.lastBytes;
    }
    await http.close();
  }
}

function printReport(
  jobs: number,
  renderMs: number,
  plainRuns: [Measured, Measured],
  scrapedRuns: [Measured, Measured],
  s: Scraping,
  load: [number, number],
): void {
  const plain = plainRuns.map((m) => m.result) as [PassResult, PassResult];
  const scraped = scrapedRuns.map((m) => m.result) as [PassResult, PassResult];
  const cpu = (runs: Measured[]) => runs.reduce((n, m) => n + m.cpuSeconds, 0) / runs.length;
  const ms = (n: number) => `${Math.round(n)} ms`;
  const ratio = (a: number, b: number) => `${(b / Math.max(1e-9, a)).toFixed(2)}x`;
  const pooled = (passes: PassResult[]) => passes.flatMap((r) => r.latency).sort((a, b) => a - b);
  const both = { plain: pooled(plain), scraped: pooled(scraped) };
  const scrapeMs = [...s.ms].sort((a, b) => a - b);
  const passes = [...plainRuns, ...scrapedRuns];
  console.log(
    `\n### /metrics scraped during the core benchmark: ${jobs} jobs a pass, renders of ${renderMs} ms, ` +
      `metrics on in every pass (node ${process.version}, ${new Date().toISOString()})\n`,
  );
  console.log(
    '| pass | delivered (failed) | all delivered | completion -> delivery, median / p99 | bot CPU time |',
  );
  console.log('|---|---|---|---|---|');
  for (const { result: r, cpuSeconds } of passes)
    console.log(
      `| ${r.name} | ${r.delivered} (${r.failed}) | ${(r.wallMs / 1000).toFixed(1)} s | ${ms(percentile(r.latency, 50))} / ${ms(percentile(r.latency, 99))} | ${cpuSeconds.toFixed(1)} s |`,
    );
  const p99 = { plain: percentile(both.plain, 99), scraped: percentile(both.scraped, 99) };
  const twin = (a: PassResult, b: PassResult) => {
    const [x, y] = [percentile(a.latency, 99), percentile(b.latency, 99)];
    return Math.max(x, y) / Math.max(1e-9, Math.min(x, y));
  };
  console.log('\n| both passes of a kind together | not scraped | scraped at 10/s | scraped / not |');
  console.log('|---|---|---|---|');
  console.log(
    `| completion -> delivery, median | ${ms(percentile(both.plain, 50))} | ${ms(percentile(both.scraped, 50))} | ${ratio(percentile(both.plain, 50), percentile(both.scraped, 50))} |`,
  );
  console.log(
    `| **completion -> delivery, p99** | **${ms(p99.plain)}** | **${ms(p99.scraped)}** | **${ratio(p99.plain, p99.scraped)}** |`,
  );
  console.log(
    `| p99 of a pass against its twin (the noise) | ${twin(plain[0], plain[1]).toFixed(2)}x | ${twin(scraped[0], scraped[1]).toFixed(2)}x | |`,
  );
  console.log(
    `| bot CPU time a pass (mean) | ${cpu(plainRuns).toFixed(1)} s | ${cpu(scrapedRuns).toFixed(1)} s | ${ratio(cpu(plainRuns), cpu(scrapedRuns))} |`,
  );
  const expo = [...expositionMs].sort((a, b) => a - b);
  const expoTotal = expositionMs.reduce((a, b) => a + b, 0);
  const scrapedWall = scraped.reduce((n, r) => n + r.wallMs, 0);
  console.log(
    `\nScrapes: ${s.scrapes} (${s.failures} failed); at the scraper one took ${ms(percentile(scrapeMs, 50))} / ${ms(percentile(scrapeMs, 99))} (median / p99), ${(s.lastBytes / 1024).toFixed(1)} KB of text. ` +
      `In the bot, producing it took ${percentile(expo, 50).toFixed(2)} / ${percentile(expo, 99).toFixed(2)} ms (median / p99), ` +
      `${(expoTotal / 1000).toFixed(2)} s in all: ${((100 * expoTotal) / Math.max(1, scrapedWall)).toFixed(2)}% of the scraped passes' time. ` +
      `Load average (1 min) of the machine: ${load[0].toFixed(1)} at the start, ${load[1].toFixed(1)} at the end.`,
  );
}

if (process.argv[2] === '--scraper') await scraperSide(process.argv[3]!);
else await main();
process.exit(0);
