/**
 * A deployment's client that tells the pool how each call went (undefined: it answered), so the circuit
 * breaker sees every failure, whichever part of the bot made the call: submitting, polling, downloading
 * or deleting. Everything else passes through unchanged.
 */
import type {
  ContentStream,
  CreateVideoRequest,
  ListVideosQuery,
  PaidRequestOptions,
  RequestOptions,
  VideoProvider,
  VideoWithHints,
} from '../provider.js';
import type { ContentVariant, Video, VideoDeleted, VideoList } from '../video.js';

export class ReportingProvider implements VideoProvider {
  constructor(
    private readonly inner: VideoProvider,
    private readonly report: (error: unknown) => void,
  ) {}

  get kind(): VideoProvider['kind'] {
    return this.inner.kind;
  }

  get capabilities(): VideoProvider['capabilities'] {
    return this.inner.capabilities;
  }

  private async watch<T>(call: Promise<T>): Promise<T> {
    try {
      const value = await call;
      this.report(undefined);
      return value;
    } catch (error) {
      this.report(error);
      throw error;
    }
  }

  create(request: CreateVideoRequest, options?: PaidRequestOptions): Promise<Video> {
    return this.watch(this.inner.create(request, options));
  }

  retrieve(id: string, options?: RequestOptions): Promise<Video> {
    return this.watch(this.inner.retrieve(id, options));
  }

  retrieveWithHints(id: string, options?: RequestOptions): Promise<VideoWithHints> {
    return this.watch(this.inner.retrieveWithHints(id, options));
  }

  listPage(query?: ListVideosQuery, options?: RequestOptions): Promise<VideoList> {
    return this.watch(this.inner.listPage(query, options));
  }

  list(query?: ListVideosQuery, options?: RequestOptions): AsyncIterable<Video> {
    return this.inner.list(query, options);
  }

  delete(id: string, options?: RequestOptions): Promise<VideoDeleted> {
    return this.watch(this.inner.delete(id, options));
  }

  remix(id: string, prompt: string, options?: PaidRequestOptions): Promise<Video> {
    return this.watch(this.inner.remix(id, prompt, options));
  }

  download(id: string, variant?: ContentVariant, options?: RequestOptions): Promise<ContentStream> {
    return this.watch(this.inner.download(id, variant, options));
  }
}
