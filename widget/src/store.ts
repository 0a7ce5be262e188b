import type { PatronConversation, PatronEvent } from '@branchline/protocol';
import { newClientId } from './contract.ts';

/** A message the patron wrote that the server has not yet confirmed with its own event. */
export interface OutboxItem {
  clientId: string;
  body: string;
  createdAt: string;
  /** Set by the ack; 0 when the server accepted it without saying where (start of a chat). */
  seq: number | null;
  /** Error code when the server refused it for good; the patron may try again. */
  error: string | null;
}

/** What survives page navigation and reload within the tab, per desk. */
export interface SavedChat {
  token: string | null;
  conversation: PatronConversation | null;
  events: PatronEvent[];
  outbox: OutboxItem[];
  /** Highest event seq received. */
  lastSeq: number;
  /** Staff have seen the patron's messages up to here. */
  seenSeq: number;
  /** The patron has seen (had the panel open on) events up to here. */
  readSeq: number;
}

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const KEPT_EVENTS = 100;
const VERSION = 1;

export function emptyChat(): SavedChat {
  return { token: null, conversation: null, events: [], outbox: [], lastSeq: 0, seenSeq: 0, readSeq: 0 };
}

export function storageKey(desk: string): string {
  return `branchline-chat:${desk}`;
}

/** The tab's sessionStorage, or null where the browser refuses it (sandboxed frames, some privacy modes). */
export function sessionStore(): StorageLike | null {
  return usable(() => window.sessionStorage);
}

/** The browser's localStorage, or null where it is refused. */
export function localStore(): StorageLike | null {
  return usable(() => window.localStorage);
}

function usable(open: () => Storage): StorageLike | null {
  try {
    const storage = open();
    const probe = '__branchline__';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

const BROWSER_KEY = 'branchline-browser';

/**
 * A random key kept in this browser, so that library staff can block one abusive browser rather
 * than everyone at its address (a branch's public computers, a school). Made when the patron
 * first sends something, not on page load; none where storage is refused.
 */
export function browserKey(storage: StorageLike | null): string | undefined {
  if (!storage) return undefined;
  try {
    const kept = storage.getItem(BROWSER_KEY);
    if (kept !== null && /^[A-Za-z0-9_-]{22,64}$/.test(kept)) return kept;
    const made = newClientId();
    storage.setItem(BROWSER_KEY, made);
    return made;
  } catch {
    return undefined;
  }
}

export function loadChat(storage: StorageLike | null, desk: string, server: string): SavedChat | null {
  if (!storage) return null;
  try {
    const raw = storage.getItem(storageKey(desk));
    if (raw === null) return null;
    const data: unknown = JSON.parse(raw);
    if (!isRecord(data) || data.v !== VERSION || data.server !== server || data.desk !== desk) return null;
    const chat = emptyChat();
    if (typeof data.token === 'string') chat.token = data.token;
    if (isRecord(data.conversation)) chat.conversation = data.conversation as unknown as PatronConversation;
    if (Array.isArray(data.events)) chat.events = data.events.filter(isEvent);
    if (Array.isArray(data.outbox)) chat.outbox = data.outbox.filter(isOutboxItem);
    chat.lastSeq = count(data.lastSeq);
    chat.seenSeq = count(data.seenSeq);
    chat.readSeq = count(data.readSeq);
    return chat;
  } catch {
    return null;
  }
}

export function saveChat(storage: StorageLike | null, desk: string, server: string, chat: SavedChat): void {
  if (!storage) return;
  const record = { v: VERSION, server, desk, ...chat, events: chat.events.slice(-KEPT_EVENTS) };
  try {
    storage.setItem(storageKey(desk), JSON.stringify(record));
  } catch {
    // Quota or privacy mode: the chat still works, it just will not survive a reload.
  }
}

export function clearChat(storage: StorageLike | null, desk: string): void {
  try {
    storage?.removeItem(storageKey(desk));
  } catch {
    // Nothing to do.
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

function isEvent(value: unknown): value is PatronEvent {
  return isRecord(value) && typeof value.seq === 'number' && value.seq > 0 && typeof value.body === 'string';
}

function isOutboxItem(value: unknown): value is OutboxItem {
  return (
    isRecord(value) &&
    typeof value.clientId === 'string' &&
    typeof value.body === 'string' &&
    typeof value.createdAt === 'string' &&
    (value.seq === null || typeof value.seq === 'number') &&
    (value.error === null || typeof value.error === 'string')
  );
}
