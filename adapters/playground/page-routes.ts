/**
 * `GET /` (the page), `/playground/app.css` and `/playground/app.js`. The assets are TypeScript
 * modules exporting strings, so they ship inside dist/ with no copy step and no front-end build.
 * The Content-Security-Policy allows only same-origin scripts, styles, media and connections: even
 * if a prompt slipped into markup somewhere, no inline script could run.
 */
import type { ServerResponse } from 'node:http';
import { PAGE_HTML } from './public/page-html.js';
import { PAGE_SCRIPT } from './public/page-script.js';
import { PAGE_CSS } from './public/page-style.js';
import type { RouteTarget } from './request-guard.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function mountPageRoutes(http: RouteTarget): void {
  http.route('GET', '/', (_req, res) => sendText(res, 'text/html', PAGE_HTML));
  http.route('GET', '/playground/app.css', (_req, res) => sendText(res, 'text/css', PAGE_CSS));
  http.route('GET', '/playground/app.js', (_req, res) => sendText(res, 'text/javascript', PAGE_SCRIPT));
}

function sendText(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // The assets change with the bot's version; revalidating is cheap on localhost.
    'cache-control': 'no-cache',
  });
  res.end(body);
}
