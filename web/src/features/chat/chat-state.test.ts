import type { Presence } from '@branchline/protocol';
import { describe, expect, it } from 'vitest';
import { applyFrame, INITIAL_CHAT_STATE, lastSeqHeld, mergeEvent, type ChatState } from './chat-state.ts';
import { myChats, transferCandidates, unreadCount } from './chat-selectors.ts';
import { parseTags } from './chat-words.ts';
import { conversation, patronMessage, staffMessage } from './test-frames.ts';

function withEvents(...seqs: number[]): ChatState {
  return seqs.reduce(
    (state, seq) => applyFrame(state, { type: 'event', conversationId: 'c1', event: patronMessage(seq) }),
    INITIAL_CHAT_STATE,
  );
}

describe('mergeEvent', () => {
  it('keeps order and drops a seq it already holds', () => {
    const log = [patronMessage(1), patronMessage(3)];
    expect(mergeEvent(log, patronMessage(2)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(mergeEvent(log, patronMessage(3))).toBe(log);
  });
});

describe('applyFrame', () => {
  it('dedupes events by seq and remembers the last seq held', () => {
    const state = withEvents(1, 2, 2, 3, 1);
    expect(state.events['c1']?.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(lastSeqHeld(state, 'c1')).toBe(3);
    expect(lastSeqHeld(state, 'other')).toBe(0);
  });

  it('marks a send sent on ack and drops it once its event is in the log', () => {
    const pending = { clientId: 'abc12345', conversationId: 'c1', body: 'Hi', internal: false };
    let state: ChatState = { ...INITIAL_CHAT_STATE, pending: [{ ...pending, state: 'sending', error: null }] };
    state = applyFrame(state, { type: 'ack', conversationId: 'c1', clientId: 'abc12345', seq: 4 });
    expect(state.pending[0]?.state).toBe('sent');
    state = applyFrame(state, { type: 'event', conversationId: 'c1', event: staffMessage(4, 'abc12345') });
    expect(state.pending).toEqual([]);
  });

  it('marks a send failed when the server refuses it by client id', () => {
    const pending = { clientId: 'abc12345', conversationId: 'c1', body: 'Hi', internal: false };
    let state: ChatState = { ...INITIAL_CHAT_STATE, pending: [{ ...pending, state: 'sending', error: null }] };
    state = applyFrame(state, {
      type: 'error',
      code: 'conflict',
      message: 'This chat has ended',
      clientId: 'abc12345',
      conversationId: 'c1',
    });
    expect(state.pending[0]).toMatchObject({ state: 'failed', error: 'This chat has ended' });
  });

  it('keeps other errors per conversation and as a notice', () => {
    const state = applyFrame(INITIAL_CHAT_STATE, {
      type: 'error',
      code: 'conflict',
      message: 'Sofía has already taken this chat.',
      conversationId: 'c9',
    });
    expect(state.errors['c9']).toBe('Sofía has already taken this chat.');
    expect(state.notices.at(-1)).toMatchObject({ kind: 'error', conversationId: 'c9' });
  });

  it('rings once per offer and says who took it when withdrawn', () => {
    const offer = {
      type: 'offer' as const,
      conversation: conversation({ id: 'q1', status: 'queued' }),
      ringUntil: null,
    };
    let state = applyFrame(applyFrame(INITIAL_CHAT_STATE, offer), offer);
    expect(state.offers).toHaveLength(1);
    expect(state.notices.filter((n) => n.kind === 'offer')).toHaveLength(1);
    state = applyFrame(state, { type: 'offer.withdrawn', conversationId: 'q1', reason: 'taken', takenBy: 'Sofía' });
    expect(state.offers).toEqual([]);
    expect(state.notices.at(-1)).toMatchObject({ kind: 'taken', takenBy: 'Sofía' });
  });

  it('drops an offer when its conversation is no longer waiting', () => {
    const queued = conversation({ id: 'q1', status: 'queued', assigneeId: null });
    let state = applyFrame(INITIAL_CHAT_STATE, { type: 'offer', conversation: queued, ringUntil: null });
    state = applyFrame(state, {
      type: 'conversation',
      conversation: { ...queued, status: 'active', assigneeId: 'me' },
    });
    expect(state.offers).toEqual([]);
    expect(myChats(state, 'me').map((c) => c.id)).toEqual(['q1']);
  });

  it('replaces ringing offers on welcome and keeps the highest patron seen seq', () => {
    const old = conversation({ id: 'gone', status: 'queued' });
    let state = applyFrame(INITIAL_CHAT_STATE, { type: 'offer', conversation: old, ringUntil: null });
    state = applyFrame(state, {
      type: 'welcome',
      presence: {
        staffId: 'me',
        displayName: 'Me',
        status: 'available',
        deskIds: [],
        activeChats: 1,
        maxChats: 3,
        connected: true,
      },
      conversations: [conversation()],
      queues: [],
      offers: [],
    });
    expect(state.offers).toEqual([]);
    expect(state.isGreeted).toBe(true);
    state = applyFrame(state, { type: 'seen', conversationId: 'c1', seq: 5 });
    state = applyFrame(state, { type: 'seen', conversationId: 'c1', seq: 3 });
    expect(state.patronSeen['c1']).toBe(5);
  });

  it('counts unread patron messages after the last one read', () => {
    const state = { ...withEvents(1, 2, 3), readUpTo: { c1: 1 } };
    expect(unreadCount(state, 'c1')).toBe(2);
  });
});

describe('transferCandidates', () => {
  it('offers only connected colleagues, available or away, with room', () => {
    const person = (staffId: string, overrides: Partial<Presence> = {}): Presence => ({
      staffId,
      displayName: staffId,
      status: 'available',
      deskIds: [],
      activeChats: 0,
      maxChats: 3,
      connected: true,
      ...overrides,
    });
    const people = [
      person('me'),
      person('zoe', { status: 'away' }),
      person('full', { activeChats: 3 }),
      person('gone', { connected: false }),
      person('off', { status: 'offline' }),
      person('amir'),
    ];
    expect(transferCandidates(people, 'me').map((p) => p.staffId)).toEqual(['amir', 'zoe']);
  });
});

describe('parseTags', () => {
  it('trims, lowercases and drops blanks and repeats', () => {
    expect(parseTags(' Holds, ebooks,, holds ,')).toEqual(['holds', 'ebooks']);
    expect(parseTags('')).toEqual([]);
  });
});
