/**
 * Gates for race tests: hold one real call (a provider create, a download, an upload) at a chosen
 * point until the test has done the competing thing (a delete), then let it go on. The wrapped
 * provider is the real client talking to the real emulator; the gate only decides when it answers.
 */
import type { VideoProvider } from '../../src/sora/provider.js';

export class Gate {
  private release!: () => void;
  private readonly opened: Promise<void>;
  private reachedResolve!: () => void;
  /** Resolves once the gated call got there. */
  readonly reached: Promise<void>;

  constructor() {
    this.opened = new Promise((r) => {
      this.release = r;
    });
    this.reached = new Promise((r) => {
      this.reachedResolve = r;
    });
  }

  /** Called by the gated code: signals arrival and waits to be let through. */
  async pass(): Promise<void> {
    this.reachedResolve();
    await this.opened;
  }

  open(): void {
    this.release();
  }
}

export interface ProviderGates {
  /** Held after the provider created the job, before the caller sees the answer (prompt -> gate). */
  afterCreate?: Map<string, Gate>;
  /** Held before the create is sent. */
  beforeCreate?: Map<string, Gate>;
  /** Held before a video's content download starts. */
  beforeDownload?: Gate;
  /** When set, delete calls fail with this error (a provider outage during a delete). */
  deleteError?: { current: Error | undefined };
}

export function gatedProvider(inner: VideoProvider, gates: ProviderGates): VideoProvider {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'create')
        return async (...args: Parameters<VideoProvider['create']>) => {
          await gates.beforeCreate?.get(args[0].prompt)?.pass();
          const video = await target.create(...args);
          await gates.afterCreate?.get(args[0].prompt)?.pass();
          return video;
        };
      if (prop === 'download')
        return async (...args: Parameters<VideoProvider['download']>) => {
          if (args[1] === 'video') await gates.beforeDownload?.pass();
          return target.download(...args);
        };
      if (prop === 'delete')
        return async (...args: Parameters<VideoProvider['delete']>) => {
          if (gates.deleteError?.current) throw gates.deleteError.current;
          return target.delete(...args);
        };
      const member = Reflect.get(target, prop, receiver);
      return typeof member === 'function' ? member.bind(target) : member;
    },
  });
}
