import type { Presence } from '@branchline/protocol';
import { describe, expect, it } from 'vitest';
import {
  applyFrame,
  conversationsToRelease,
  forgetConversation,
  INITIAL_CHAT_STATE,
  lastSeqHeld,
  mergeEvent,
  type ChatState,
} from './chat-state.ts';
import {
  deskAnswerers,
  myChats,
  sideBySideChats,
  transferCandidates,
  unreadCount,
  unreadInMyChats,
} from './chat-selectors.ts';
import { parseTags, previewText } from './chat-words.ts';
import { noticeText } from './notice-text.ts';
import { conversation, patronMessage, presence, staffMessage } from './test-frames.ts';

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

  it('takes the event an ack carries into the log at once, and ignores the same event arriving again', () => {
    const pending = { clientId: 'abc12345', conversationId: 'c1', body: 'Hi', internal: false };
    let state: ChatState = { ...withEvents(1, 2, 3), pending: [{ ...pending, state: 'sending', error: null }] };
    state = applyFrame(state, {
      type: 'ack',
      conversationId: 'c1',
      clientId: 'abc12345',
      seq: 4,
      event: staffMessage(4, 'abc12345'),
    });
    expect(state.pending).toEqual([]);
    expect(state.events['c1']?.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(lastSeqHeld(state, 'c1')).toBe(4);
    const again = applyFrame(state, { type: 'event', conversationId: 'c1', event: staffMessage(4, 'abc12345') });
    expect(again.events['c1']).toBe(state.events['c1']);
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

  it('rings once per offer, with its preview, and says who took it when withdrawn', () => {
    const offer = {
      type: 'offer' as const,
      conversation: conversation({ id: 'q1', status: 'queued' }),
      ringUntil: null,
      preview: 'My e-reader will not download anything',
    };
    let state = applyFrame(applyFrame(INITIAL_CHAT_STATE, offer), offer);
    expect(state.offers).toHaveLength(1);
    expect(state.offers[0]?.preview).toBe('My e-reader will not download anything');
    expect(state.events).toEqual({});
    expect(state.notices.filter((n) => n.kind === 'offer')).toHaveLength(1);
    state = applyFrame(state, { type: 'offer.withdrawn', conversationId: 'q1', reason: 'taken', takenBy: 'Sofía' });
    expect(state.offers).toEqual([]);
    expect(state.notices.at(-1)).toMatchObject({ kind: 'taken', takenBy: 'Sofía' });
  });

  it('drops an offer when its conversation is no longer waiting', () => {
    const queued = conversation({ id: 'q1', status: 'queued', assigneeId: null });
    let state = applyFrame(INITIAL_CHAT_STATE, { type: 'offer', conversation: queued, ringUntil: null, preview: null });
    state = applyFrame(state, {
      type: 'conversation',
      conversation: { ...queued, status: 'active', assigneeId: 'me' },
    });
    expect(state.offers).toEqual([]);
    expect(myChats(state, 'me').map((c) => c.id)).toEqual(['q1']);
  });

  it('keeps ended chats in My chats until they are closed, here or on another tab', () => {
    const ended = conversation({ id: 'e1', status: 'resolved', assigneeId: 'me' });
    let state = applyFrame(INITIAL_CHAT_STATE, {
      type: 'welcome',
      presence: presence(),
      conversations: [conversation({ id: 'a1', assigneeId: 'me' }), ended],
      queues: [],
      offers: [],
    });
    expect(myChats(state, 'me').map((c) => c.id)).toEqual(['a1', 'e1']);
    state = applyFrame(state, {
      type: 'conversation',
      conversation: { ...ended, closedAt: '2026-03-02T15:03:00.000Z' },
    });
    expect(myChats(state, 'me').map((c) => c.id)).toEqual(['a1']);
  });

  it('replaces ringing offers on welcome and keeps the highest patron seen seq', () => {
    const old = conversation({ id: 'gone', status: 'queued' });
    let state = applyFrame(INITIAL_CHAT_STATE, { type: 'offer', conversation: old, ringUntil: null, preview: null });
    state = applyFrame(state, {
      type: 'welcome',
      presence: presence(),
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

  it('rings for a chat a colleague passed over, naming them and the patron, once the chat is known', () => {
    expect(
      applyFrame(INITIAL_CHAT_STATE, { type: 'conversation.transferred', conversationId: 'c1', from: 'Tom' }),
    ).toBe(INITIAL_CHAT_STATE);
    const known = applyFrame(INITIAL_CHAT_STATE, { type: 'conversation', conversation: conversation() });
    const state = applyFrame(known, { type: 'conversation.transferred', conversationId: 'c1', from: 'Tom' });
    expect(state.notices.at(-1)).toMatchObject({ kind: 'transferred', conversationId: 'c1', from: 'Tom' });
    expect(noticeText(state.notices.at(-1)!, () => '')).toMatch(/^Tom passed you the chat with .+\.$/);
  });

  it('moves the colleagues version on each word that colleagues changed, and on every welcome', () => {
    let state = applyFrame(INITIAL_CHAT_STATE, { type: 'colleagues' });
    state = applyFrame(state, { type: 'colleagues' });
    expect(state.colleaguesVersion).toBe(2);
    state = applyFrame(state, { type: 'welcome', presence: presence(), conversations: [], queues: [], offers: [] });
    expect(state.colleaguesVersion).toBe(3);
    expect(applyFrame(state, { type: 'pong' }).colleaguesVersion).toBe(3);
  });

  it('counts unread patron messages after the last one read', () => {
    const state = { ...withEvents(1, 2, 3), readUpTo: { c1: 1 } };
    expect(unreadCount(state, 'c1')).toBe(2);
  });

  it('adds up the unread patron messages of the person’s chats still going, for the title and the nav', () => {
    let state = applyFrame(INITIAL_CHAT_STATE, { type: 'conversation', conversation: conversation() });
    state = applyFrame(state, { type: 'conversation', conversation: conversation({ id: 'c2' }) });
    state = applyFrame(state, { type: 'conversation', conversation: conversation({ id: 'c3', assigneeId: 'other' }) });
    state = applyFrame(state, { type: 'conversation', conversation: conversation({ id: 'c4', status: 'resolved' }) });
    for (const [id, seqs] of [
      ['c1', [1, 2]],
      ['c2', [1]],
      ['c3', [1, 2, 3]],
      ['c4', [1]],
    ] as const) {
      for (const seq of seqs)
        state = applyFrame(state, { type: 'event', conversationId: id, event: patronMessage(seq, 'hi', id) });
    }
    state = applyFrame(state, {
      type: 'event',
      conversationId: 'c2',
      event: staffMessage(2, 'staff-2', 'reply', 'c2'),
    });
    expect(unreadInMyChats(state, 'me')).toBe(3);
    expect(unreadInMyChats({ ...state, readUpTo: { c1: 2 } }, 'me')).toBe(1);
    expect(unreadInMyChats(state, 'nobody')).toBe(0);
  });

  it('restores seen marks and unread counts from the conversation after a reload', () => {
    let state = applyFrame(INITIAL_CHAT_STATE, {
      type: 'welcome',
      presence: presence(),
      conversations: [conversation({ lastSeq: 5, patronSeenSeq: 4, staffSeenSeq: 3 })],
      queues: [],
      offers: [],
    });
    for (const event of [patronMessage(3), staffMessage(4, 'x1'), patronMessage(5)])
      state = applyFrame(state, { type: 'event', conversationId: 'c1', event });
    expect(state.patronSeen['c1']).toBe(4);
    expect(unreadCount(state, 'c1')).toBe(1);
    // A conversation sent before a later `seen` frame never moves a mark back.
    state = applyFrame(state, { type: 'seen', conversationId: 'c1', seq: 5 });
    state = applyFrame(state, { type: 'conversation', conversation: conversation({ patronSeenSeq: 4 }) });
    expect(state.patronSeen['c1']).toBe(5);
  });
});

describe('conversationsToRelease', () => {
  const greeted = (...conversations: ReturnType<typeof conversation>[]) =>
    applyFrame(INITIAL_CHAT_STATE, { type: 'welcome', presence: presence(), conversations, queues: [], offers: [] });

  it('keeps the person’s chats and the one on screen, and lets go of the rest', () => {
    let state = greeted(conversation({ id: 'mine' }), conversation({ id: 'ended', status: 'resolved' }));
    state = applyFrame(state, {
      type: 'conversation',
      conversation: conversation({ id: 'away', assigneeId: 'marcus' }),
    });
    state = applyFrame(state, { type: 'event', conversationId: 'unknown', event: patronMessage(1, 'hi', 'unknown') });
    expect(conversationsToRelease(state, null).sort()).toEqual(['away', 'unknown']);
    expect(conversationsToRelease(state, 'away')).toEqual(['unknown']);
    expect(conversationsToRelease({ ...state, dismissed: { ended: true } }, 'away').sort()).toEqual([
      'ended',
      'unknown',
    ]);
  });

  it('lets go of nothing before the server says who this is', () => {
    const state = applyFrame(INITIAL_CHAT_STATE, {
      type: 'conversation',
      conversation: conversation({ assigneeId: 'marcus' }),
    });
    expect(conversationsToRelease(state, null)).toEqual([]);
  });

  it('forgets a released conversation entirely', () => {
    let state = greeted(conversation({ patronSeenSeq: 1, staffSeenSeq: 1 }));
    state = applyFrame(state, { type: 'event', conversationId: 'c1', event: patronMessage(1) });
    const forgotten = forgetConversation(state, 'c1');
    expect(forgotten.conversations).toEqual({});
    expect(forgotten.events).toEqual({});
    expect(forgotten.patronSeen).toEqual({});
    expect(forgotten.readUpTo).toEqual({});
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

  it('counts, for a desk, the colleagues its queue would ring now', () => {
    const people = [
      presence({ staffId: 'me', deskIds: ['ask'] }),
      presence({ staffId: 'amir', deskIds: ['ask', 'kids'] }),
      presence({ staffId: 'zoe', status: 'away', deskIds: ['ask'] }),
      presence({ staffId: 'gone', connected: false, deskIds: ['ask'] }),
      presence({ staffId: 'kim', deskIds: ['kids'] }),
    ];
    expect(deskAnswerers(people, 'ask', 'me')).toBe(1);
    expect(deskAnswerers(people, 'kids', 'me')).toBe(2);
    expect(deskAnswerers(people, 'ask', 'amir')).toBe(1);
    expect(deskAnswerers(people, 'homework', 'me')).toBe(0);
  });
});

describe('previewText', () => {
  it('puts a preview on one line and cuts a long one at a word', () => {
    expect(previewText('  Hello\n\nthere  ')).toBe('Hello there');
    expect(previewText('one two three four', 12)).toBe('one two…');
    expect(previewText('abcdefghijklmnop', 8)).toBe('abcdefg…');
  });
});

describe('parseTags', () => {
  it('trims, lowercases and drops blanks and repeats', () => {
    expect(parseTags(' Holds, ebooks,, holds ,')).toEqual(['holds', 'ebooks']);
    expect(parseTags('')).toEqual([]);
  });
});

describe('sideBySideChats', () => {
  const mine = ['a', 'b', 'c', 'd', 'e'].map((id) => conversation({ id }));
  const ids = (list: Array<{ id: string }>) => list.map((c) => c.id);

  it('shows the first three chats in order when the open one is among them, or none is open', () => {
    expect(ids(sideBySideChats(mine, mine[1]))).toEqual(['a', 'b', 'c']);
    expect(ids(sideBySideChats(mine, undefined))).toEqual(['a', 'b', 'c']);
    expect(ids(sideBySideChats(mine.slice(0, 2), undefined))).toEqual(['a', 'b']);
  });

  it('always shows the open chat, in the last place when it comes later', () => {
    expect(ids(sideBySideChats(mine, mine[4]))).toEqual(['a', 'b', 'e']);
    expect(ids(sideBySideChats(mine, mine[3], 2))).toEqual(['a', 'd']);
  });

  it('prefers the chats still going to those ended and waiting for their wrap-up, in the order of My chats', () => {
    const ended = (id: string) => conversation({ id, status: 'resolved' });
    const list = [ended('e1'), conversation({ id: 'a1' }), ended('e2'), conversation({ id: 'a2' })];
    expect(ids(sideBySideChats(list, undefined))).toEqual(['e1', 'a1', 'a2']);
    expect(ids(sideBySideChats(list, undefined, 2))).toEqual(['a1', 'a2']);
    expect(ids(sideBySideChats(list, list[2], 2))).toEqual(['a1', 'e2']);
  });

  it('puts first an open chat that is no longer the person’s', () => {
    expect(ids(sideBySideChats(mine, conversation({ id: 'x' })))).toEqual(['x', 'a', 'b']);
  });
});
