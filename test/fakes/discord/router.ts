import type { IncomingMessage } from 'node:http';
import type { ParsedBody } from './http-io.js';
import type { RestCall } from './recorder.js';

export interface RouteRequest {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  body: ParsedBody;
  call: RestCall;
}

export interface RouteAnswer {
  status: number;
  /** Omitted for 204. */
  body?: unknown;
}

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below /api/v10 with `:name` parameters, e.g. `/channels/:channelId/messages`. */
  template: string;
  /** 'bot': needs `Authorization: Bot <token>`. 'none': interaction and webhook routes carry a token in the path. */
  auth: 'bot' | 'none';
  handle: (request: RouteRequest) => RouteAnswer | Promise<RouteAnswer>;
}

export interface RouteMatch {
  route: RouteDefinition;
  params: Record<string, string>;
}

/** Segment-by-segment matcher. Segments arrive URL-decoded (discord.js escapes `@original` and emoji). */
export class Router {
  private readonly routes: Array<RouteDefinition & { segments: string[] }> = [];

  add(...routes: RouteDefinition[]): void {
    for (const route of routes) this.routes.push({ ...route, segments: route.template.split('/').slice(1) });
  }

  match(method: string, segments: string[]): RouteMatch | { route: null; template: string | null } {
    let sameTemplate: string | null = null;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method) return { route, params };
      sameTemplate = route.template;
    }
    return { route: null, template: sameTemplate };
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const a = actual[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = a;
    else if (p !== a) return null;
  }
  return params;
}
