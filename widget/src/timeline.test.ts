import { describe, expect, it } from 'vitest';
import { emptyChat } from './store.ts';
import { event } from './test-fakes.ts';
import { addEvent, applyAck, buildTimeline } from './timeline.ts';

const outboxItem = (clientId: string, body: string, seq: number | null = null) => ({
  clientId,
  body,
  createdAt: '2025-01-01T00:00:00.000Z',
  seq,
  error: null,
});

describe('timeline', () => {
  it('orders events by seq, acknowledged messages at their seq, and sending ones last', () => {
    const chat = emptyChat();
    addEvent(chat, event(1, { body: 'staff one' }));
    addEvent(chat, event(4, { body: 'staff four' }));
    chat.outbox.push(outboxItem('sending-1', 'still sending'), outboxItem('acked-3', 'acked', 3));
    expect(buildTimeline(chat).map((i) => i.body)).toEqual(['staff one', 'acked', 'staff four', 'still sending']);
  });

  it('drops a queued message once its event is known, by clientId or by seq', () => {
    const chat = emptyChat();
    chat.outbox.push(outboxItem('aaaaaaaa', 'a'), outboxItem('bbbbbbbb', 'b'));
    applyAck(chat, 'bbbbbbbb', 7);
    addEvent(chat, event(6, { from: 'patron', clientId: 'aaaaaaaa', body: 'a' }));
    addEvent(chat, event(7, { from: 'patron', clientId: null, body: 'b' }));
    expect(chat.outbox).toEqual([]);
    expect(buildTimeline(chat).map((i) => i.body)).toEqual(['a', 'b']);
  });

  it('ignores an ack for an unknown message', () => {
    const chat = emptyChat();
    expect(applyAck(chat, 'nothing1', 3)).toBe(false);
  });

  it('marks the patron’s events seen up to the seen seq', () => {
    const chat = emptyChat();
    addEvent(chat, event(1, { from: 'patron', clientId: 'cccccccc' }));
    addEvent(chat, event(2, { from: 'patron', clientId: 'dddddddd' }));
    chat.seenSeq = 1;
    expect(buildTimeline(chat).map((i) => i.delivery)).toEqual(['seen', 'sent']);
  });
});
