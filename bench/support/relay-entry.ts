/**
 * The baselines: a bare `ws` relay, run as a child process like the real server. A staff socket
 * connects to `/staff?console=K`, patrons to `/patron?console=K`; each patron frame is forwarded
 * as is to console K. No validation, no acknowledgement.
 *
 * With `BENCH_RELAY_DB=<file>` the relay also persists: each patron's socket gets a
 * conversation row in a SQLite database with Branchline's schema and settings, and each frame
 * is appended to its log with the same statements Branchline runs for a message (duplicate
 * check, next sequence number, insert), group-committed, before it is forwarded. That is the
 * least any server that commits a message before delivering it must do here.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { openDatabase, SQLITE_PRAGMAS } from '../../server/src/platform/db/database.ts';
import { migrateToLatest } from '../../server/src/platform/db/migrate.ts';
import { startCheckpointer } from '../../server/src/platform/db/sqlite-checkpointer.ts';
import { answerCommands } from './child-commands.ts';

export interface RelayReady {
  baseUrl: string;
}

type Forward = (data: RawData, isBinary: boolean) => void;

interface Store {
  newConversation(): string;
  append(conversationId: string, data: RawData, forward: () => void): void;
}

async function openStore(file: string): Promise<Store> {
  const handle = openDatabase(`sqlite:${file}`);
  await migrateToLatest(handle);
  await handle.close();
  const db = new SqliteDatabase(file);
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
  // Checkpointed from a worker thread, as the server's database is.
  startCheckpointer(file);
  // The relay keeps no library, desk or patron rows for its conversations to point at.
  db.pragma('foreign_keys = OFF');
  const insertConversation = db.prepare(
    `insert into conversations (id, library_id, desk_id, channel, status, patron_id, patron_ip_hash, language,
       tags_json, last_seq, patron_seen_seq, staff_seen_seq, is_over_threshold, created_at, updated_at)
     values (?, 'relay', 'relay', 'chat', 'active', 'relay', '', 'en', '[]', 0, 0, 0, 0, ?, ?)`,
  );
  const findDuplicate = db.prepare('select * from conversation_events where conversation_id = ? and client_id = ?');
  const takeSeq = db.prepare(
    `update conversations set last_seq = last_seq + 1, updated_at = ?
     where id = ? and status not in ('resolved', 'abandoned', 'missed') returning last_seq`,
  );
  const insertEvent = db.prepare(
    `insert into conversation_events (conversation_id, seq, type, author_kind, author_staff_id, author_name, body,
       system_kind, data_json, client_id, created_at)
     values (?, ?, 'message', 'patron', null, null, ?, null, '{}', ?, ?) returning *`,
  );
  let pending: Array<{ conversationId: string; clientId: string; body: string; forward: () => void }> = [];
  const commitAll = db.transaction((batch: typeof pending, now: string) => {
    for (const m of batch) {
      if (findDuplicate.get(m.conversationId, m.clientId)) continue;
      const bumped = takeSeq.get(now, m.conversationId) as { last_seq: number } | undefined;
      if (bumped) insertEvent.get(m.conversationId, bumped.last_seq, m.body, m.clientId, now);
    }
  });
  const flush = () => {
    const batch = pending;
    pending = [];
    commitAll(batch, new Date().toISOString());
    for (const m of batch) m.forward();
  };
  return {
    newConversation() {
      const id = crypto.randomUUID();
      const now = new Date().toISOString();
      insertConversation.run(id, now, now);
      return id;
    },
    append(conversationId, data, forward) {
      const frame = JSON.parse(data.toString()) as { clientId?: unknown; body?: unknown };
      if (pending.length === 0) setImmediate(flush);
      pending.push({ conversationId, clientId: String(frame.clientId), body: String(frame.body), forward });
    },
  };
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '0');
  const store = process.env.BENCH_RELAY_DB ? await openStore(process.env.BENCH_RELAY_DB) : undefined;
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
      const forward: Forward = (data, isBinary) => {
        const peer = consoles.get(consoleId);
        if (peer && peer.readyState === peer.OPEN) peer.send(data, { binary: isBinary });
      };
      const conversationId = store?.newConversation();
      socket.on('message', (data, isBinary) => {
        if (store && conversationId) store.append(conversationId, data, () => forward(data, isBinary));
        else forward(data, isBinary);
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

void main();
