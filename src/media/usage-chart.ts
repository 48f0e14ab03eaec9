// The `/sora usage` chart: spend per day as a PNG, drawn locally (no network at render time).
// Vega-Lite (compiled to Vega, rendered headless with `renderer: 'none'`) gives a tidy bar chart as SVG with
// no browser or canvas; Vega escapes text and attributes itself, and every user-supplied string reaches it as
// data (fields and parameter values), never as markup or expression code. resvg (@resvg/resvg-js, a Rust
// renderer shipped as prebuilt npm binaries, no install script) turns the SVG into a PNG off the main thread.
// Both are imported lazily, so starting the bot does not load them.
import { existsSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';

export interface UsageChartInput {
  /** User-supplied text (workspace names and such): treated as data. */
  title: string;
  /** One bar per day, in order; labels such as "1" or "Dec 1". 1 to 92 days. */
  days: { label: string; dollars: number }[];
  /** Default "$". */
  currency?: string;
}

export const USAGE_CHART_MAX_DAYS = 92;
const WIDTH = 800;
const HEIGHT = 400;
const SCALE = 2;
const PADDING = 16;
const FONT = 'DejaVu Sans';
// Debian's fonts-dejavu-core (installed by CI and the Docker image).
const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** Drops what XML cannot carry (control characters, lone surrogates), folds whitespace and caps length. */
function clean(text: string, max: number): string {
  const s = text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(s);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}

type TextItem = { text?: unknown; fontSize?: number; fontWeight?: string | number; limit?: number };

/**
 * Text width for Vega's layout. With no canvas Vega guesses 0.8 em a character, much wider than DejaVu Sans,
 * which cuts long titles too early; this per-character guess for DejaVu Sans stays a little on the wide side.
 * Vega truncates text to `item.limit` with this same function, so the width of text that has a limit is at
 * most that limit.
 */
function dejaVuWidth(item: TextItem, text?: unknown): number {
  let em = 0;
  for (const ch of String(text ?? item.text ?? '')) {
    if (/[\s.,:;'!|()[\]{}ijlft·]/.test(ch)) em += 0.36;
    else if (/[mwMW@%]/.test(ch)) em += 0.95;
    else if (/[A-Z0-9$#&<>=+~^_?"]/.test(ch)) em += 0.74;
    else em += ch.codePointAt(0)! >= 0x2e80 ? 1 : 0.62;
  }
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  const width = Math.ceil(em * (item.fontSize ?? 11) * (bold ? 1.1 : 1));
  return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
}

function spec(input: UsageChartInput): TopLevelSpec {
  const { days } = input;
  if (days.length < 1 || days.length > USAGE_CHART_MAX_DAYS) {
    throw new RangeError(`usage chart: 1 to ${USAGE_CHART_MAX_DAYS} days, got ${days.length}`);
  }
  for (const d of days) {
    if (!Number.isFinite(d.dollars)) throw new RangeError(`usage chart: day "${d.label}" has no amount`);
  }
  const currency = clean(input.currency ?? '$', 8);
  const total = days.reduce((sum, d) => sum + d.dollars, 0);
  const largest = Math.max(...days.map((d) => Math.abs(d.dollars)));
  const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const n = days.length;
  return {
    width: WIDTH,
    height: HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    padding: PADDING,
    background: 'white',
    title: {
      text: clean(input.title, 120) || 'Spend per day',
      subtitle: `Total ${currency}${money.format(total)} · ${n} day${n === 1 ? '' : 's'}`,
      anchor: 'start',
      // Vega cuts a longer title with an ellipsis (a wide title would otherwise squeeze the plot, then overflow).
      limit: WIDTH - 2 * PADDING,
    },
    // Labels and currency go in as parameter values (data); the expressions below only index them.
    params: [
      { name: 'dayLabels', value: days.map((d) => clean(d.label, 16)) },
      { name: 'currency', value: currency },
    ],
    data: { values: days.map((d, i) => ({ i, dollars: d.dollars })) },
    mark: {
      type: 'bar',
      color: '#4c78a8',
      cornerRadiusTopLeft: 2,
      cornerRadiusTopRight: 2,
      // A week or less of data would otherwise draw slabs.
      width: { expr: "min(bandwidth('x') * 0.85, 48)" },
    },
    encoding: {
      x: {
        field: 'i',
        type: 'ordinal',
        sort: null,
        title: null,
        axis: { labelExpr: 'dayLabels[datum.value]', labelAngle: n > 31 ? -90 : 0, labelOverlap: 'parity' },
      },
      y: {
        field: 'dollars',
        type: 'quantitative',
        title: `Spend (${currency})`,
        // All-zero data still gets an axis from 0 to 1 rather than a degenerate scale.
        scale: largest > 0 ? { zero: true, nice: true } : { domain: [0, 1] },
        axis: {
          labelExpr: `currency + format(datum.value, '${largest >= 10 ? ',.0f' : ',.2f'}')`,
          tickCount: 6,
        },
      },
    },
    config: {
      aria: false,
      font: FONT,
      view: { stroke: null },
      title: { fontSize: 16, subtitleFontSize: 13 },
    },
  };
}

/** The chart as SVG text (also what the PNG is drawn from). */
export async function renderUsageChartSvg(input: UsageChartInput): Promise<string> {
  const vegaSpec = spec(input);
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  // Exported by vega (from vega-scenegraph) but missing from its typings.
  (vega as unknown as { textMetrics: { width: typeof dejaVuWidth } }).textMetrics.width = dejaVuWidth;
  const view = new vega.View(vega.parse(vl.compile(vegaSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The chart as PNG bytes, about 800x400 at 2x device scale. */
export async function renderUsageChart(input: UsageChartInput): Promise<Uint8Array> {
  const svg = await renderUsageChartSvg(input);
  const { renderAsync } = await import('@resvg/resvg-js');
  const image = await renderAsync(svg, {
    fitTo: { mode: 'zoom', value: SCALE },
    background: 'white',
    font: {
      loadSystemFonts: true,
      fontFiles: existsSync(DEJAVU) ? [DEJAVU] : [],
      defaultFontFamily: FONT,
      sansSerifFamily: FONT,
    },
  });
  const png = image.asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Loads the chart libraries ahead of the first `/sora usage` (about a second of module loading), so
 * the first answer is as quick as the next ones. The bot calls it in the background after start.
 */
export async function preloadChartLibraries(): Promise<void> {
  await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
}
