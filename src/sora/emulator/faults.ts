/**
 * Deterministic fault injection: a seeded generator (mulberry32) decides, request after request, whether
 * to destroy the socket, answer 500, and how long to wait first. The same seed and request order give the
 * same faults, so a test of the client's retries is reproducible.
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

  constructor(options: FaultOptions = {}) {
    this.random = mulberry32(options.seed ?? 1);
    this.errorRate = options.errorRate ?? 0;
    this.dropRate = options.dropRate ?? 0;
    this.latencyMs = options.latencyMs ?? 0;
  }

  /** Two draws per request (drop, then error), always, so one rate does not shift the other's sequence. */
  next(): FaultDecision {
    const dropDraw = this.random();
    const failDraw = this.random();
    const drop = dropDraw < this.dropRate;
    return { drop, fail: !drop && failDraw < this.errorRate, delayMs: this.latencyMs };
  }
}
