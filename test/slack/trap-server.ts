/**
 * A foreign host for tests: a real HTTP server on another port (so another origin than the fake
 * Slack) that records every request it gets, headers included, and answers with a small PNG as a
 * thief's server would. A test proves a token never left by finding no Authorization header here, or
 * no request at all.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TrapRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface TrapServer {
  url: string;
  requests: TrapRequest[];
  close(): Promise<void>;
}

export async function startTrapServer(
  body: Buffer = Buffer.from('not really a picture'),
): Promise<TrapServer> {
  const requests: TrapRequest[] = [];
  const server: Server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
