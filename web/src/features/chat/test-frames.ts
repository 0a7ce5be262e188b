import type { Conversation, ConversationEvent, Presence } from '@branchline/protocol';

/** Builders for the chat tests: a conversation and events with only what a case needs to say. */
export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 'c1',
    libraryId: 'lib',
    deskId: 'desk-ask',
    channel: 'chat',
    status: 'active',
    assigneeId: 'me',
    patron: { id: 'p1', name: null, email: null, isIdentified: false, browserKnown: true },
    language: 'en',
    tags: [],
    readScale: null,
    rating: null,
    lastSeq: 0,
    patronSeenSeq: 0,
    staffSeenSeq: 0,
    createdAt: '2026-01-01T10:00:00.000Z',
    queuedAt: '2026-01-01T10:00:00.000Z',
    waitingSince: null,
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    updatedAt: '2026-01-01T10:00:00.000Z',
    purgedAt: null,
    ...overrides,
  };
}

export function patronMessage(seq: number, body = `message ${seq}`, conversationId = 'c1'): ConversationEvent {
  return {
    seq,
    conversationId,
    type: 'message',
    author: { kind: 'patron' },
    body,
    systemKind: null,
    data: {},
    clientId: null,
    createdAt: '2026-01-01T10:00:00.000Z',
  };
}

export function staffMessage(seq: number, clientId: string, body = 'reply', conversationId = 'c1'): ConversationEvent {
  return {
    ...patronMessage(seq, body, conversationId),
    author: { kind: 'staff', staffId: 'me', displayName: 'Me' },
    clientId,
  };
}

/** The signed-in person's presence as a welcome carries it: staff id `me`. */
export function presence(overrides: Partial<Presence> = {}): Presence {
  return {
    staffId: 'me',
    displayName: 'Me',
    status: 'available',
    deskIds: [],
    activeChats: 1,
    maxChats: 3,
    connected: true,
    ...overrides,
  };
}
