/**
 * HTTP Range requests (RFC 9110 §14), for every route that serves a file (the playground's media,
 * Discord's signed download links): browsers ask for `bytes=START-` to seek in a video, and Safari
 * insists on `bytes=0-1` first. The rules followed:
 * - one satisfiable range: 206 with that part;
 * - nothing satisfiable (every range starts at or past the end, or a suffix of 0 bytes): 416 with
 *   `Content-Range: bytes *\/SIZE`;
 * - several ranges: the whole file (a server may ignore Range; no multipart/byteranges), or 416 when
 *   none of them is satisfiable;
 * - a header it cannot read (another unit, a range whose last byte is before its first, garbage):
 *   the whole file, as §14.2 lets a server ignore an invalid Range.
 * Numbers of any length are read (a 500-digit position is simply past the end), so no header throws.
 */
export type RangeResult =
  | { kind: 'whole' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

type Spec = { first: number; last: number | null } | { suffix: number };

export function parseRange(header: string | undefined, size: number): RangeResult {
  const specs = readSpecs(header);
  if (!specs) return { kind: 'whole' };
  const satisfiable = specs.filter((s) => ('suffix' in s ? s.suffix > 0 : s.first < size));
  if (satisfiable.length === 0) return { kind: 'unsatisfiable' };
  // An empty file has no byte to point at: a non-empty suffix of it is the whole (empty) file.
  if (specs.length > 1 || size === 0) return { kind: 'whole' };
  const spec = satisfiable[0]!;
  if ('suffix' in spec) return { kind: 'partial', start: Math.max(0, size - spec.suffix), end: size - 1 };
  return { kind: 'partial', start: spec.first, end: Math.min(spec.last ?? size - 1, size - 1) };
}

/** The range-specs of a `bytes=` header; undefined when it has none or any of them is invalid. */
function readSpecs(header: string | undefined): Spec[] | undefined {
  const match = /^\s*([A-Za-z]+)\s*=(.*)$/s.exec(header ?? '');
  if (!match || match[1]!.toLowerCase() !== 'bytes') return undefined;
  // The list syntax (RFC 9110 §5.6.1) allows empty elements: `bytes=0-1,,` is one range.
  const parts = match[2]!
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return undefined;
  const specs: Spec[] = [];
  for (const part of parts) {
    const spec = readSpec(part);
    if (!spec) return undefined;
    specs.push(spec);
  }
  return specs;
}

function readSpec(part: string): Spec | undefined {
  const suffix = /^-(\d+)$/.exec(part);
  if (suffix) return { suffix: Number(suffix[1]) };
  const range = /^(\d+)-(\d*)$/.exec(part);
  if (!range) return undefined;
  const first = Number(range[1]);
  const last = range[2] === '' ? null : Number(range[2]);
  // `last < first` is invalid, not unsatisfiable (§14.1.1).
  return last !== null && last < first ? undefined : { first, last };
}

/** `Content-Range` of a 206. */
export function contentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end}/${size}`;
}

/** `Content-Range` of a 416: the only thing a client can learn from it is the size. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}
