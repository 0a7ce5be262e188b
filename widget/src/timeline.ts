import type { PatronEvent, SystemEventKind } from '@branchline/protocol';
import type { SavedChat } from './store.ts';

export type Delivery = 'sending' | 'sent' | 'seen' | 'failed';

/** One line of the transcript as the view shows it. */
export interface TimelineItem {
  /** Stable across sending → sent → seen: the clientId for the patron's messages, else the seq. */
  key: string;
  from: 'patron' | 'staff' | 'system';
  displayName: string | null;
  body: string;
  systemKind: SystemEventKind | null;
  delivery: Delivery | null;
  clientId: string | null;
}

/**
 * Adds an event unless its seq is already known, keeping events in seq order. An event carrying
 * the clientId of a queued message replaces that message. Returns whether anything changed.
 */
export function addEvent(chat: SavedChat, event: PatronEvent): boolean {
  if (chat.events.some((e) => e.seq === event.seq)) return false;
  let at = chat.events.length;
  while (at > 0 && (chat.events[at - 1]?.seq ?? 0) > event.seq) at--;
  chat.events.splice(at, 0, event);
  chat.lastSeq = Math.max(chat.lastSeq, event.seq);
  chat.outbox = chat.outbox.filter(
    (item) => item.seq !== event.seq && (event.clientId === null || item.clientId !== event.clientId),
  );
  return true;
}

/** Marks a queued message as stored at `seq`; drops it when its event has already arrived. */
export function applyAck(chat: SavedChat, clientId: string, seq: number): boolean {
  const item = chat.outbox.find((i) => i.clientId === clientId);
  if (!item) return false;
  if (chat.events.some((e) => e.clientId === clientId || e.seq === seq)) {
    chat.outbox = chat.outbox.filter((i) => i !== item);
    return true;
  }
  item.seq = seq;
  item.error = null;
  return true;
}

/** Messages still waiting for an ack, in the order they were written. */
export function unacked(chat: SavedChat): SavedChat['outbox'] {
  return chat.outbox.filter((item) => item.seq === null && item.error === null);
}

function deliveryOf(seq: number | null, seenSeq: number): Delivery {
  if (seq === null) return 'sending';
  return seenSeq > 0 && seq <= seenSeq ? 'seen' : 'sent';
}

/** Events and acknowledged messages by seq, then messages still sending, in the order written. */
export function buildTimeline(chat: SavedChat): TimelineItem[] {
  const items: Array<TimelineItem & { order: number }> = chat.events.map((e) => ({
    key: e.from === 'patron' && e.clientId ? `c${e.clientId}` : `e${e.seq}`,
    from: e.from,
    displayName: e.displayName,
    body: e.body,
    systemKind: e.systemKind,
    delivery: e.from === 'patron' && e.type === 'message' ? deliveryOf(e.seq, chat.seenSeq) : null,
    clientId: e.clientId,
    order: e.seq,
  }));
  chat.outbox.forEach((item, index) => {
    items.push({
      key: `c${item.clientId}`,
      from: 'patron',
      displayName: null,
      body: item.body,
      systemKind: null,
      delivery: item.error === null ? deliveryOf(item.seq, chat.seenSeq) : 'failed',
      clientId: item.clientId,
      order: item.seq ?? Number.MAX_SAFE_INTEGER - chat.outbox.length + index,
    });
  });
  items.sort((a, b) => a.order - b.order);
  return items.map(({ order: _order, ...item }) => item);
}
