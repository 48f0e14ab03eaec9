import { readFile } from 'node:fs/promises';
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sniffImage } from '../../src/media/image-info.js';
import { renderUsageChart, renderUsageChartSvg, type UsageChartInput } from '../../src/media/usage-chart.js';

const month = (dollars: (day: number) => number): UsageChartInput['days'] =>
  Array.from({ length: 31 }, (_, i) => ({ label: String(i + 1), dollars: dollars(i + 1) }));

interface Decoded {
  width: number;
  height: number;
  /** Distinct RGBA colours, as 0xRRGGBBAA. */
  colours: Map<number, number>;
}

/** A strict little PNG reader: every chunk's CRC, IHDR first, IEND last, IDAT inflated and unfiltered. */
function decodePng(png: Uint8Array): Decoded {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    expect(crc32(buf.subarray(at + 4, at + 8 + length)), `CRC of ${type}`).toBe(
      buf.readUInt32BE(at + 8 + length),
    );
    chunks.push({ type, data });
    at += 12 + length;
  }
  expect(chunks[0]?.type).toBe('IHDR');
  expect(chunks.at(-1)?.type).toBe('IEND');
  const ihdr = chunks[0]!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const [depth, colourType, , , interlace] = ihdr.subarray(8);
  expect({ depth, interlace }).toEqual({ depth: 8, interlace: 0 });
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType as 0 | 2 | 4 | 6];
  expect(channels, `colour type ${colourType}`).toBeDefined();
  const bpp = channels!;
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * bpp;
  expect(raw.length).toBe(height * (stride + 1));
  const colours = new Map<number, number>();
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const row = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    if (filter > 4) throw new Error(`row ${y}: unknown filter ${filter}`);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? row[x - bpp]! : 0;
      const b = prev[x]!;
      const c = x >= bpp ? prev[x - bpp]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      row[x] = (row[x]! + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const px = row.subarray(x * bpp, (x + 1) * bpp);
      const [r, g, b, alpha] =
        bpp >= 3
          ? [px[0]!, px[1]!, px[2]!, bpp === 4 ? px[3]! : 255]
          : [px[0]!, px[0]!, px[0]!, px[1] ?? 255];
      const key = ((r << 24) | (g << 16) | (b << 8) | alpha) >>> 0;
      colours.set(key, (colours.get(key) ?? 0) + 1);
    }
    prev = row;
  }
  return { width, height, colours };
}

const count = (d: Decoded, pick: (r: number, g: number, b: number) => boolean): number => {
  let n = 0;
  for (const [key, times] of d.colours)
    if (pick(key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff)) n += times;
  return n;
};
const WHITE = 0xffffffff;
const BAR = 0x4c78a8ff; // the bar colour in usage-chart.ts

describe('renderUsageChart', () => {
  it('renders a month as a real PNG of sensible size with bars and text on white', async () => {
    const png = await renderUsageChart({
      title: 'Spend per day · December 2026 · acme',
      days: month((d) => (d % 7) * 3.25 + 0.5),
    });
    expect(png).toBeInstanceOf(Uint8Array);
    expect(png.byteLength).toBeGreaterThan(5_000);
    expect(png.byteLength).toBeLessThan(500_000);
    const decoded = decodePng(png);
    expect(decoded.width).toBeGreaterThanOrEqual(600);
    expect(decoded.width).toBeLessThanOrEqual(2000);
    expect(decoded.height).toBeGreaterThanOrEqual(300);
    expect(decoded.height).toBeLessThan(decoded.width);
    expect(sniffImage(png)).toEqual(
      expect.objectContaining({ type: 'image/png', width: decoded.width, height: decoded.height }),
    );
    const pixels = decoded.width * decoded.height;
    expect(decoded.colours.get(WHITE)! / pixels).toBeGreaterThan(0.3);
    // 31 bars, each at least a few pixels wide and some tall: a good share of the picture.
    expect((decoded.colours.get(BAR) ?? 0) / pixels).toBeGreaterThan(0.1);
    // Black text (title, labels) was drawn, so a font was found.
    expect(count(decoded, (r, g, b) => r < 60 && g < 60 && b < 60)).toBeGreaterThan(1_000);
  });

  it('renders all-zero spend (axes and text, no bars)', async () => {
    const decoded = decodePng(await renderUsageChart({ title: 'Nothing spent', days: month(() => 0) }));
    expect(decoded.colours.size).toBeGreaterThanOrEqual(2);
    expect(decoded.colours.get(BAR) ?? 0).toBe(0);
    expect(count(decoded, (r, g, b) => r < 60 && g < 60 && b < 60)).toBeGreaterThan(100);
  });

  it('renders a single day, in another currency', async () => {
    const input = { title: 'One day', days: [{ label: 'Dec 1', dollars: 3.5 }], currency: '€' };
    const decoded = decodePng(await renderUsageChart(input));
    expect(decoded.colours.get(BAR) ?? 0).toBeGreaterThan(1_000);
    const svg = await renderUsageChartSvg(input);
    expect(svg).toContain('Total €3.50 · 1 day');
    expect(svg).toContain('>Dec 1<');
  });

  it('renders up to 92 days', async () => {
    const days = Array.from({ length: 92 }, (_, i) => ({ label: `D${i + 1}`, dollars: i * 1.5 }));
    const decoded = decodePng(await renderUsageChart({ title: 'A quarter', days }));
    expect(decoded.colours.get(BAR) ?? 0).toBeGreaterThan(1_000);
  });

  it('puts the total in the subtitle', async () => {
    const svg = await renderUsageChartSvg({ title: 't', days: month(() => 100.5) });
    expect(svg).toContain('Total $3,115.50 · 31 days');
  });

  it('treats a hostile title and labels as text, not markup', async () => {
    const title = 'acme <script>alert(1)</script> & "co" \u0000\u0007\ud800 ]]> <!--';
    const days = [
      { label: '<b>1</b>', dollars: 2 },
      { label: "2'+alert(1)+'", dollars: 1 },
    ];
    const svg = await renderUsageChartSvg({ title, days, currency: '<$>' });
    expect(svg).not.toMatch(/<script|<b>|<!--/i);
    expect(svg).toContain('acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; "co" ]]&gt; &lt;!--');
    expect(svg).toContain('&lt;b&gt;1&lt;/b&gt;');
    expect(svg).toContain(">2'+alert(1)+'<");
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const decoded = decodePng(await renderUsageChart({ title, days, currency: '<$>' }));
    expect(decoded.colours.get(BAR) ?? 0).toBeGreaterThan(1_000);
  });

  it('cuts a very long title with an ellipsis', async () => {
    const svg = await renderUsageChartSvg({ title: 'word '.repeat(200), days: month(() => 1) });
    expect(svg).toMatch(/>(word ?)+w?o?r?…</);
    // The plot keeps its width (about 800 less the y axis and padding).
    const plotWidth = Number(/class="background" aria-hidden="true" d="M0,0h([\d.]+)v/.exec(svg)?.[1]);
    expect(plotWidth).toBeGreaterThan(650);
  });

  it('rejects no days, more than 92 days, and amounts that are not numbers', async () => {
    await expect(renderUsageChart({ title: 't', days: [] })).rejects.toThrow(RangeError);
    const many = Array.from({ length: 93 }, (_, i) => ({ label: String(i), dollars: 1 }));
    await expect(renderUsageChart({ title: 't', days: many })).rejects.toThrow(RangeError);
    await expect(
      renderUsageChart({ title: 't', days: [{ label: '1', dollars: Number.NaN }] }),
    ).rejects.toThrow(RangeError);
  });

  it('loads vega and resvg only when a chart is drawn', async () => {
    const source = await readFile(new URL('../../src/media/usage-chart.ts', import.meta.url), 'utf8');
    const staticImports = source.match(/^import\s+(?!type\b)[^;]*from\s+'[^']+'/gm) ?? [];
    expect(staticImports.join('\n')).not.toMatch(/'(vega|vega-lite|@resvg\/resvg-js)'/);
    expect(source).toContain("import('@resvg/resvg-js')");
  });
});
