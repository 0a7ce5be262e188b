/**
 * The baseline: a bare `ws` relay, run as a child process like the real server. A staff socket
 * connects to `/staff?console=K`, patrons to `/patron?console=K`; each patron frame is forwarded
 * as is to console K. No parsing, no validation, no persistence, no acknowledgement.
 */
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { answerCommands } from './child-commands.ts';

export interface RelayReady {
  baseUrl: string;
}

function main(): void {
  const port = Number(process.env.PORT ?? '0');
  const consoles = new Map<string, WebSocket>();
  const server = http.createServer((_request, response) => response.writeHead(404).end());
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });

  wss.on('connection', (socket, request) => {
    const url = new URL(request.url ?? '/', 'http://relay');
    const consoleId = url.searchParams.get('console') ?? '';
    if (url.pathname === '/staff') {
      consoles.set(consoleId, socket);
      socket.on('close', () => {
        if (consoles.get(consoleId) === socket) consoles.delete(consoleId);
      });
    } else if (url.pathname === '/patron') {
      socket.on('message', (data, isBinary) => {
        const peer = consoles.get(consoleId);
        if (peer && peer.readyState === peer.OPEN) peer.send(data, { binary: isBinary });
      });
    } else socket.close(4404, 'unknown path');
  });

  process.on('SIGTERM', () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.close(() => process.exit(0));
  });
  server.listen(port, '127.0.0.1', () => {
    answerCommands();
    const ready: RelayReady = { baseUrl: `http://127.0.0.1:${port}` };
    process.stdout.write(`BENCH_READY ${JSON.stringify(ready)}\n`);
  });
}

main();
