/**
 * The `Range` header of a download, read per RFC 9110 (sections 14.1.2, 14.2 and 15.5.17), for the
 * signed download route. Video players ask for single ranges to seek; anything else is answered in
 * the simplest way the RFC allows, and nothing a client sends can make it throw:
 *
 * - no header, a unit other than `bytes`, or a header that does not parse: ignored, the whole file;
 * - one satisfiable range (`a-b`, `a-`, `-n`): that range, clamped to the file (206);
 * - several ranges: the whole file (200) when at least one is satisfiable (a server may ignore
 *   Range, and one body is cheaper than multipart/byteranges), 416 when none is;
 * - no satisfiable range (starts at or past the end, `-0`, any range of an empty file): 416 with
 *   `Content-Range: bytes *\/SIZE`.
 */
export type RangeAnswer =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

type Spec = { first: number; last: number | null } | { suffix: number };

const FULL: RangeAnswer = { kind: 'full' };

export function readRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return FULL;
  const match = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (!match) return FULL;
  // List syntax allows empty elements ("bytes=0-1,,5-"): skip them.
  const parts = match[1]!
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return FULL;
  const specs: Spec[] = [];
  for (const part of parts) {
    const spec = parseSpec(part);
    if (!spec) return FULL;
    specs.push(spec);
  }
  const satisfiable = specs.map((s) => resolve(s, size)).filter((r) => r !== undefined);
  if (satisfiable.length === 0) return { kind: 'unsatisfiable' };
  if (specs.length > 1) return FULL;
  const [only] = satisfiable;
  return { kind: 'partial', start: only!.start, end: only!.end };
}

/** `Content-Range` of a 416: the only thing a client can learn from it is the size. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

export function contentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end}/${size}`;
}

function parseSpec(part: string): Spec | undefined {
  const suffix = /^-(\d+)$/.exec(part);
  if (suffix) return { suffix: Number(suffix[1]) };
  const range = /^(\d+)-(\d*)$/.exec(part);
  if (!range) return undefined;
  const first = Number(range[1]);
  const last = range[2] === '' ? null : Number(range[2]);
  // "last < first" is invalid syntax (RFC 9110 14.1.2), so the whole header is ignored.
  if (last !== null && last < first) return undefined;
  return { first, last };
}

function resolve(spec: Spec, size: number): { start: number; end: number } | undefined {
  if (size === 0) return undefined;
  if ('suffix' in spec) {
    if (spec.suffix === 0) return undefined;
    return { start: Math.max(0, size - spec.suffix), end: size - 1 };
  }
  if (spec.first >= size) return undefined;
  return { start: spec.first, end: Math.min(spec.last ?? size - 1, size - 1) };
}
