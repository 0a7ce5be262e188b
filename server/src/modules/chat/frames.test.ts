import { fitsOneFrame, MAX_FRAME_TEXT_BYTES, StaffClientFrame } from '@branchline/protocol';
import { describe, expect, it } from 'vitest';
import { acceptFrame, MAX_PENDING_FRAMES, SerialQueue } from './frames.ts';

const CONVERSATION = '3f1c2a9e-8d4b-4c1e-9a7f-2b6d5e8c1a40';

function queueWith(pending: number): SerialQueue {
  const queue = new SerialQueue(() => undefined);
  const never = new Promise<void>(() => undefined);
  for (let i = 0; i < pending; i++) void queue.push(() => never);
  return queue;
}

describe('reading client frames', () => {
  it('answers a full queue with a busy error that names the chat and the message it was about', () => {
    const frame = { type: 'message.send', conversationId: CONVERSATION, clientId: 'client-0001', body: 'Hello' };
    const read = acceptFrame(
      Buffer.from(JSON.stringify(frame)),
      false,
      StaffClientFrame,
      queueWith(MAX_PENDING_FRAMES),
    );
    expect(read).toEqual({
      error: {
        type: 'error',
        code: 'service_unavailable',
        message: 'The server is busy. Please try again in a moment.',
        clientId: 'client-0001',
        conversationId: CONVERSATION,
      },
    });
    const accept = { type: 'conversation.accept', conversationId: CONVERSATION };
    const refused = acceptFrame(
      Buffer.from(JSON.stringify(accept)),
      false,
      StaffClientFrame,
      queueWith(MAX_PENDING_FRAMES),
    );
    expect(refused).toMatchObject({ error: { code: 'service_unavailable', conversationId: CONVERSATION } });
    expect(acceptFrame(Buffer.from(JSON.stringify(accept)), false, StaffClientFrame, queueWith(1))).toEqual({
      frame: accept,
    });
  });

  it('refuses binary, oversized, malformed and unknown frames with their own codes', () => {
    const queue = queueWith(0);
    const code = (raw: Buffer, isBinary = false) => {
      const read = acceptFrame(raw, isBinary, StaffClientFrame, queue);
      return 'error' in read ? read.error.code : 'accepted';
    };
    expect(code(Buffer.from('{"type":"ping"}'), true)).toBe('unsupported_media_type');
    expect(code(Buffer.from(`"${'x'.repeat(MAX_FRAME_TEXT_BYTES)}"`))).toBe('payload_too_large');
    expect(code(Buffer.from('{"type":'))).toBe('malformed_request');
    expect(code(Buffer.from('{"type":"<script>alert(1)</script>"}'))).toBe('validation_failed');
    expect(code(Buffer.from('{"type":"ping"}'))).toBe('accepted');
  });

  it('names the message and chat a refused send was about, so the client can mark that message failed', () => {
    const queue = queueWith(0);
    const read = (frame: object) => acceptFrame(Buffer.from(JSON.stringify(frame)), false, StaffClientFrame, queue);
    const send = { type: 'message.send', conversationId: CONVERSATION, clientId: 'client-0002' };
    // 3,000 characters of Chinese are fewer than the 4,000 allowed but more than 8 KB of UTF-8.
    expect(read({ ...send, body: '图书馆'.repeat(1000) })).toEqual({
      error: {
        type: 'error',
        code: 'payload_too_large',
        message: 'A frame may carry at most 8 KB of text. Send a long message in parts.',
        clientId: 'client-0002',
        conversationId: CONVERSATION,
      },
    });
    expect(read({ ...send, body: '   ' })).toMatchObject({
      error: { code: 'validation_failed', clientId: 'client-0002', conversationId: CONVERSATION },
    });
    // Ids that are not well formed are never echoed back.
    const hostile = read({
      type: 'message.send',
      conversationId: '<b>x</b>',
      clientId: '<script>1</script>',
      body: '',
    });
    expect(hostile).toEqual({ error: { type: 'error', code: 'validation_failed', message: expect.any(String) } });
    expect(read({ type: 'message.send', clientId: 42, body: 'x'.repeat(9000) })).toEqual({
      error: { type: 'error', code: 'payload_too_large', message: expect.any(String) },
    });
  });

  it('agrees with the console’s own check of whether a message fits one frame', () => {
    const queue = queueWith(0);
    const sizeRefused = (body: string) => {
      const frame = {
        type: 'message.send',
        conversationId: CONVERSATION,
        clientId: 'c'.repeat(64),
        body,
        internal: true,
      };
      const read = acceptFrame(Buffer.from(JSON.stringify(frame)), false, StaffClientFrame, queue);
      return 'error' in read && read.error.code === 'payload_too_large';
    };
    const samples = ['a', 'é', '图', '😀', '"', '\n', '\u0001'].flatMap((unit) =>
      [1000, 2000, 2600, 2700, 3000, 3990].map((n) => unit.repeat(Math.ceil(n / unit.length)).slice(0, 4000)),
    );
    for (const body of samples)
      expect(sizeRefused(body), `${body.length} × ${body.slice(0, 2)}`).toBe(!fitsOneFrame(body));
    expect(fitsOneFrame('图'.repeat(2600))).toBe(true);
    expect(fitsOneFrame('图'.repeat(2800))).toBe(false);
    expect(fitsOneFrame('a'.repeat(4000))).toBe(true);
  });

  it('runs queued work one piece at a time, in order, and goes on after a failure', async () => {
    const errors: unknown[] = [];
    const queue = new SerialQueue((error) => errors.push(error));
    const order: string[] = [];
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
    void queue.push(async () => {
      order.push('a start');
      await tick();
      order.push('a end');
    });
    void queue.push(async () => {
      throw new Error('b failed');
    });
    await queue.push(async () => {
      order.push('c');
    });
    expect(order).toEqual(['a start', 'a end', 'c']);
    expect(errors).toEqual([new Error('b failed')]);
    expect(queue.pending).toBe(0);
  });
});
