/**
 * Deterministic fault injection: a seeded generator (mulberry32) decides, request after request, whether
 * to destroy the socket, answer 500, and how long to wait first. The same seed and request order give the
 * same faults, so a test of the client's retries is reproducible. A second generator, drawn once per job
 * started, decides which creations lose their answer (`failAfterCreateRate`), so that rate never shifts
 * the per-request sequence.
 */
import type { FaultOptions } from './types.js';

export interface FaultDecision {
  drop: boolean;
  fail: boolean;
  delayMs: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class FaultInjector {
  private readonly random: () => number;
  private readonly errorRate: number;
  private readonly dropRate: number;
  private readonly latencyMs: number;
  private readonly afterCreateRandom: () => number;
  private readonly failAfterCreateRate: number;
  /** Leave `prompt` out of retrieve and list answers. */
  readonly omitPrompt: boolean;

  constructor(options: FaultOptions = {}) {
    const seed = options.seed ?? 1;
    this.random = mulberry32(seed);
    this.errorRate = options.errorRate ?? 0;
    this.dropRate = options.dropRate ?? 0;
    this.latencyMs = options.latencyMs ?? 0;
    this.afterCreateRandom = mulberry32(seed ^ 0x5bd1e995);
    this.failAfterCreateRate = options.failAfterCreateRate ?? 0;
    this.omitPrompt = options.omitPrompt ?? false;
  }

  /** Two draws per request (drop, then error), always, so one rate does not shift the other's sequence. */
  next(): FaultDecision {
    const dropDraw = this.random();
    const failDraw = this.random();
    const drop = dropDraw < this.dropRate;
    return { drop, fail: !drop && failDraw < this.errorRate, delayMs: this.latencyMs };
  }

  /** Asked once per job started: answer 502 although the job exists (the gateway lost the answer)? */
  failAfterCreate(): boolean {
    return this.failAfterCreateRate > 0 && this.afterCreateRandom() < this.failAfterCreateRate;
  }
}
