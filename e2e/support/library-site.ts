import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LibrarySite {
  /** Origin of the library's own website, e.g. http://127.0.0.1:41234 */
  origin: string;
  stop(): Promise<void>;
}

/**
 * A library's own website on another origin, with two pages that embed the Branchline widget,
 * so a test can move between pages mid-chat as a patron would.
 */
export async function startLibrarySite(branchlineUrl: string, desk = 'ask'): Promise<LibrarySite> {
  const page = (title: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body>
<header><nav aria-label="Site"><a href="/">Home</a> <a href="/events">Events</a></nav></header>
<main><h1>${title}</h1><p>Welcome to the Riverbend Library website.</p></main>
<script src="${branchlineUrl}/widget.js" defer></script>
<branchline-chat desk="${desk}"></branchline-chat>
</body>
</html>`;
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const body =
      path === '/events' ? page('Events at the library') : path === '/' ? page('Riverbend Library') : undefined;
    if (body === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
