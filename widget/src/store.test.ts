import { describe, expect, it } from 'vitest';
import { type StorageLike, browserKey, clearChat, emptyChat, loadChat, saveChat, storageKey } from './store.ts';
import { TOKEN, conversation, event, memoryStorage } from './test-fakes.ts';

const SERVER = 'https://chat.example.org';

describe('saved chat', () => {
  it('round-trips token, conversation, events, outbox and seqs per desk', () => {
    const storage = memoryStorage();
    const chat = {
      ...emptyChat(),
      token: TOKEN,
      conversation: conversation(),
      events: [event(1), event(2)],
      outbox: [
        { clientId: 'abcdefgh12', body: 'pending', createdAt: '2025-01-01T00:00:00.000Z', seq: null, error: null },
      ],
      lastSeq: 2,
      seenSeq: 1,
      readSeq: 2,
    };
    saveChat(storage, 'ask', SERVER, chat);
    expect(loadChat(storage, 'ask', SERVER)).toEqual(chat);
    expect(loadChat(storage, 'homework', SERVER)).toBeNull();
    expect(storage.data.has(storageKey('ask'))).toBe(true);
  });

  it('keeps only the last 100 events', () => {
    const storage = memoryStorage();
    const events = Array.from({ length: 150 }, (_, i) => event(i + 1));
    saveChat(storage, 'ask', SERVER, { ...emptyChat(), token: TOKEN, events, lastSeq: 150 });
    const loaded = loadChat(storage, 'ask', SERVER);
    expect(loaded?.events).toHaveLength(100);
    expect(loaded?.events[0]?.seq).toBe(51);
    expect(loaded?.lastSeq).toBe(150);
  });

  it('ignores a chat saved for another server, and anything unreadable', () => {
    const storage = memoryStorage();
    saveChat(storage, 'ask', SERVER, { ...emptyChat(), token: TOKEN });
    expect(loadChat(storage, 'ask', 'https://other.example.org')).toBeNull();
    storage.setItem(storageKey('ask'), '{not json');
    expect(loadChat(storage, 'ask', SERVER)).toBeNull();
    storage.setItem(
      storageKey('ask'),
      JSON.stringify({ v: 1, server: SERVER, desk: 'ask', events: [{ seq: 'x' }], lastSeq: -3 }),
    );
    expect(loadChat(storage, 'ask', SERVER)).toEqual(emptyChat());
  });

  it('works without storage and survives a full one', () => {
    expect(loadChat(null, 'ask', SERVER)).toBeNull();
    const full: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    expect(() => saveChat(full, 'ask', SERVER, emptyChat())).not.toThrow();
    const storage = memoryStorage();
    saveChat(storage, 'ask', SERVER, emptyChat());
    clearChat(storage, 'ask');
    expect(storage.data.size).toBe(0);
  });
});

describe('browser key', () => {
  it('is made once and then kept, and replaced when what is kept is not a key', () => {
    const storage = memoryStorage();
    const first = browserKey(storage);
    expect(first).toMatch(/^[A-Za-z0-9_-]{22,64}$/);
    expect(browserKey(storage)).toBe(first);
    storage.setItem('branchline-browser', '<script>alert(1)</script>');
    const replaced = browserKey(storage);
    expect(replaced).toMatch(/^[A-Za-z0-9_-]{22,64}$/);
    expect(replaced).not.toBe(first);
  });

  it('is absent where storage is refused or full', () => {
    expect(browserKey(null)).toBeUndefined();
    const full: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    expect(browserKey(full)).toBeUndefined();
  });
});
