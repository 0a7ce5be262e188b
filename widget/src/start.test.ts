import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StartChatBody, StartChatResponse } from '@branchline/protocol';
import { ChatConnection } from './connection.ts';
import { beginChat } from './start.ts';
import { emptyChat } from './store.ts';
import { FakeTransport, TOKEN, conversation } from './test-fakes.ts';
import { ApiError } from './transport.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(answers: Array<StartChatResponse | ApiError>, library: string | null = null) {
  const transport = new FakeTransport();
  const refused: string[] = [];
  const problems: string[] = [];
  const conn = new ChatConnection(transport, emptyChat(), {
    changed: () => undefined,
    problem: () => undefined,
    terminal: () => undefined,
  });
  const bodies: StartChatBody[] = [];
  const starter = beginChat({
    base: 'https://chat.example.org',
    desk: 'ask',
    library,
    language: () => 'es',
    connection: () => conn,
    changed: () => undefined,
    refused: (reason) => refused.push(reason),
    problem: (code) => problems.push(code),
    browser: () => 'browser-key-0123456789abcdef',
    post: async (_base, body) => {
      bodies.push(body);
      const answer = answers.shift();
      if (!answer || answer instanceof ApiError) throw answer ?? new ApiError(0, 'network', 'down');
      return answer;
    },
  });
  return { transport, conn, starter, bodies, refused, problems };
}

describe('beginChat', () => {
  it('creates the chat with the first message and its clientId, then connects', async () => {
    const created: StartChatResponse = {
      token: TOKEN,
      conversation: conversation({ status: 'queued' }),
      events: [],
    };
    const t = setup([created]);
    const first = t.conn.send('¿Tienen libros en español?');
    t.starter.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.bodies).toEqual([
      {
        desk: 'ask',
        clientId: first.clientId,
        message: '¿Tienen libros en español?',
        language: 'es',
        browser: 'browser-key-0123456789abcdef',
      },
    ]);
    expect(t.conn.chat.token).toBe(TOKEN);
    expect(t.conn.chat.outbox[0]?.seq).toBe(0);
    expect(t.transport.sockets).toHaveLength(1);
  });

  it('names the library when the element does, so a server hosting several finds the right desk', async () => {
    const s = setup([new ApiError(0, 'network', 'down')], 'eastside');
    s.conn.send('hola');
    s.starter.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.bodies[0]).toMatchObject({ desk: 'ask', library: 'eastside' });
    s.starter.stop();
  });

  it('retries with the same clientId after a network failure', async () => {
    const s = setup([new ApiError(0, 'network', 'down'), new ApiError(503, 'service_unavailable', 'busy')]);
    s.conn.send('hello');
    s.starter.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(s.bodies).toHaveLength(3);
    expect(new Set(s.bodies.map((b) => b.clientId)).size).toBe(1);
  });

  it('reports a blocked patron and a missing desk', async () => {
    const blocked = setup([new ApiError(403, 'forbidden', 'blocked')]);
    blocked.conn.send('hello');
    blocked.starter.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(blocked.refused).toEqual(['blocked']);

    const missing = setup([new ApiError(404, 'not_found', 'no desk')]);
    missing.conn.send('hello');
    missing.starter.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(missing.refused).toEqual(['missing']);
  });

  it('waits when rate limited, then tries again', async () => {
    const s = setup([new ApiError(429, 'rate_limited', 'slow', 7)]);
    s.conn.send('hello');
    s.starter.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.problems).toEqual(['rate_limited']);
    await vi.advanceTimersByTimeAsync(6999);
    expect(s.bodies).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.bodies).toHaveLength(2);
  });

  it('marks the message not sent when the server refuses it', async () => {
    const s = setup([new ApiError(400, 'validation_failed', 'bad')]);
    s.conn.send('hello');
    s.starter.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.conn.chat.outbox[0]?.error).toBe('validation_failed');
  });
});
