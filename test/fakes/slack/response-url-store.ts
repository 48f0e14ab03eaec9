import type { SlackIdFactory } from './slack-ids.js';

export interface ResponseUrlPost {
  responseUrlId: string;
  body: unknown;
  atMs: number;
}

/**
 * response_url endpoints handed out in slash command and interaction payloads. Each accepts
 * `maxUses` posts (Slack: 5 within 30 minutes), then answers 404 `used_url`. Bolt's `respond()` POSTs JSON.
 */
export class ResponseUrlStore {
  private readonly uses = new Map<string, number>();
  private readonly log: ResponseUrlPost[] = [];

  constructor(
    private readonly ids: SlackIdFactory,
    private readonly now: () => number,
    private readonly maxUses: number,
  ) {}

  issue(rootUrl: string, teamId: string): string {
    const id = this.ids.next('R');
    this.uses.set(id, 0);
    return `${rootUrl}commands/${teamId}/${id}/${id.toLowerCase()}secret`;
  }

  /** Returns the HTTP status and JSON answer for a post to `/commands/{team}/{id}/{secret}`. */
  accept(id: string, body: unknown): { status: number; answer: Record<string, unknown> } {
    const used = this.uses.get(id);
    if (used === undefined) return { status: 404, answer: { ok: false, error: 'no_service' } };
    if (used >= this.maxUses) return { status: 404, answer: { ok: false, error: 'used_url' } };
    this.uses.set(id, used + 1);
    this.log.push({ responseUrlId: id, body, atMs: this.now() });
    return { status: 200, answer: { ok: true } };
  }

  /** Posts received, optionally only those to the response_url `url`. */
  posts(url?: string): ResponseUrlPost[] {
    if (url === undefined) return [...this.log];
    const id = new URL(url).pathname.split('/')[3];
    return this.log.filter((post) => post.responseUrlId === id);
  }
}
