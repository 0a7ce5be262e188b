import type { WebSocket } from 'ws';
import type { RelayReady } from './relay-entry.ts';
import { count, inBatches, openSocket, type DeliverySink, type Target } from './target.ts';

interface RelayedFrame {
  clientId?: unknown;
  body?: unknown;
}

/**
 * The same socket layout as against Branchline — one staff socket per `chatsPerStaff` patrons,
 * the same patron frames — but through the bare relay.
 */
export async function connectRelay(
  ready: RelayReady,
  options: { pairs: number; chatsPerStaff: number; name: string },
  sink: DeliverySink,
  log: (line: string) => void,
): Promise<Target> {
  const wsBase = ready.baseUrl.replace(/^http/, 'ws');
  const anomalies = new Map<string, number>();
  let closing = false;
  const onClose = (who: string) => (code: number) => {
    if (!closing) count(anomalies, `${who} socket closed (${code})`);
  };
  const consoleCount = Math.ceil(options.pairs / options.chatsPerStaff);
  const consoles = await inBatches(Array.from({ length: consoleCount }), 16, (_, k) =>
    openSocket(`${wsBase}/staff?console=${k}`, {
      onMessage: (text) => {
        const frame = JSON.parse(text) as RelayedFrame;
        if (typeof frame.clientId === 'string' && typeof frame.body === 'string')
          sink.delivered(frame.clientId, frame.body, performance.now());
      },
      onClose: onClose('staff'),
    }),
  );
  // The relay registers a console when its upgrade completes; give the last ones a moment.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const patrons: WebSocket[] = await inBatches(Array.from({ length: options.pairs }), 16, (_, i) =>
    openSocket(`${wsBase}/patron?console=${Math.floor(i / options.chatsPerStaff)}`, {
      onMessage: () => count(anomalies, 'unexpected frame to a patron'),
      onClose: onClose('patron'),
    }),
  );
  log(`  ${consoles.length} staff and ${patrons.length} patron sockets connected`);

  return {
    name: options.name,
    pairs: patrons.length,
    acks: false,
    send(pair, clientId, body) {
      patrons[pair]?.send(JSON.stringify({ type: 'message.send', clientId, body }));
    },
    anomalies: () => anomalies,
    async close() {
      closing = true;
      for (const socket of [...patrons, ...consoles]) socket.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
    },
  };
}
